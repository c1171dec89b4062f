using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>Runs a classifier over a labelled data set without gradients and collects loss, accuracy and confusions.</summary>
public static class Evaluator
{
    /// <summary>Evaluates <paramref name="model"/> on <paramref name="dataset"/>; the model's training mode is restored afterwards.</summary>
    /// <param name="model">A classifier whose output has one logit per class of <paramref name="dataset"/>.</param>
    /// <param name="dataset">Labelled images.</param>
    /// <param name="data">The configuration the model was trained with (its statistics normalise the images).</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <param name="progress">Receives (batches done, batches) after every batch.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <param name="testTimeAugmentation">Views whose logits are averaged (2 forward passes per image with <see cref="TestTimeAugmentation.HorizontalFlip"/>, 18 with <see cref="TestTimeAugmentation.HorizontalFlipAndShifts"/>).</param>
    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, ImageDataset dataset, DataConfig data, int batchSize = 256, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default, TestTimeAugmentation testTimeAugmentation = TestTimeAugmentation.None)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        var device = model.parameters().FirstOrDefault()?.device;
        var onCpu = device is null || device.type == DeviceType.CPU;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            return Run(images => Checked(model.forward(onCpu ? images : images.to(device!)), dataset.ClassCount), dataset, data, batchSize, progress, testTimeAugmentation, cancellationToken);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Evaluates any backend (an exported model on ONNX Runtime, for example) on <paramref name="dataset"/>, with the same loss and confusion counting.</summary>
    /// <param name="model">A classifier with one logit per class of <paramref name="dataset"/>.</param>
    /// <param name="dataset">Labelled images.</param>
    /// <param name="data">The configuration the model was trained with (its statistics normalise the images).</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <param name="progress">Receives (batches done, batches) after every batch.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <param name="testTimeAugmentation">Views whose logits are averaged (see <see cref="TestTimeAugmentation"/>).</param>
    public static EvaluationResult Evaluate(IImageClassificationModel model, ImageDataset dataset, DataConfig data, int batchSize = 256, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default, TestTimeAugmentation testTimeAugmentation = TestTimeAugmentation.None)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        if (model.Architecture.NumClasses != dataset.ClassCount)
        {
            throw new ArgumentException($"The model has {model.Architecture.NumClasses} outputs, but the data set has {dataset.ClassCount} classes.", nameof(model));
        }

        return Run(model.Logits, dataset, data, batchSize, progress, testTimeAugmentation, cancellationToken);
    }

    // One loop for every kind of model: each batch's views (host tensors) through `logits`, averaged, then counted.
    private static EvaluationResult Run(
        Func<Tensor, Tensor> logitsOf, ImageDataset dataset, DataConfig data, int batchSize, IProgress<(int Done, int Total)>? progress,
        TestTimeAugmentation testTimeAugmentation, CancellationToken cancellationToken)
    {
        var loader = new BatchLoader(dataset, batchSize, data, Augmentation.None);
        var classes = dataset.ClassCount;
        var confusion = new long[classes, classes];
        double lossSum = 0;
        var done = 0;
        // Explicit Scalars, alive until the method returns: an implicitly converted one (as in `a + b`, which passes
        // alpha = 1) can be finalized while native code reads it (see AdamW).
        using var one = 1.ToScalar();
        foreach (var batch in loader.Batches(loader.SequentialOrder(), epoch: 0, cancellationToken))
        {
            using var scope = NewDisposeScope();
            Tensor? logits = null;
            var views = 0;
            foreach (var view in TestTimeViews.Of(batch, data, testTimeAugmentation))
            {
                var viewLogits = logitsOf(tensor(view, [batch.Count, batch.Channels, batch.Height, batch.Width]));
                logits = logits is null ? viewLogits : logits.add(viewLogits, one);
                views++;
            }

            using var viewCount = views.ToScalar();
            logits = logits!.div(viewCount);

            lossSum += Accumulate(logits, tensor(batch.Labels), batch, confusion);
            progress?.Report((++done, loader.BatchesPerEpoch));
        }

        return new EvaluationResult(lossSum / dataset.Count, confusion, dataset.ClassNames);
    }

    private static Tensor Checked(Tensor logits, int classes) =>
        logits.dim() == 2 && logits.shape[1] == classes
            ? logits
            : throw new ArgumentException(
                $"The model returns logits of shape [{string.Join(", ", logits.shape)}], but the data set has {classes} classes: reset the classifier to {classes} outputs.", "model");

    // The batch's summed cross-entropy; its predictions are counted into the confusion matrix.
    private static double Accumulate(Tensor logits, Tensor labels, HostBatch batch, long[,] confusion)
    {
        var loss = nn.functional.cross_entropy(logits, labels.to(logits.device), reduction: nn.Reduction.Sum).item<float>();
        var predicted = logits.argmax(1).cpu().data<long>().ToArray();
        for (var i = 0; i < predicted.Length; i++)
        {
            confusion[batch.Labels[i], predicted[i]]++;
        }

        return loss;
    }
}
