using System.Globalization;
using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>
/// What a run leaves in its output folder after every epoch: a model folder (<c>config.json</c> + <c>model.safetensors</c>)
/// that classifies with the training data's preprocessing and class names wherever it is copied, the trainer state
/// beside it (<c>checkpoint.ckpt</c>, to resume) and <c>metrics.csv</c>. The weights and the description are written once.
/// </summary>
internal static class RunFolder
{
    public static void Write(string directory, CheckpointState state, ConvMixer model, optim.Optimizer optimizer, IReadOnlyList<EpochMetrics> history)
    {
        Directory.CreateDirectory(directory);
        TrainingCheckpoint.Save(Path.Combine(directory, TrainingCheckpoint.FileName), state, model, optimizer);
        MetricsCsv.Write(Path.Combine(directory, MetricsCsv.FileName), history);
    }

    /// <summary>The trained model's configuration: the training images' preprocessing, the class names, the last validation result and the run's hyperparameters.</summary>
    public static PretrainedConfig Describe(DataConfig data, ImageDataset train, EpochMetrics last, int epochs, TrainerOptions options)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["train_accuracy"] = last.TrainAccuracy };
        if (last.ValidationAccuracy is { } accuracy)
        {
            metrics["val_accuracy"] = accuracy;
        }

        if (last.ValidationLoss is { } loss)
        {
            metrics["val_loss"] = loss;
        }

        return new PretrainedConfig
        {
            Data = data with { InputSize = train.Height },
            LabelNames = new ClassLabels(train.ClassNames),
            Source = "ConvMixerNet.Training",
            Description = string.Create(CultureInfo.InvariantCulture,
                $"Trained for {epochs} epoch(s) on {train.Count} images of {train.Channels}x{train.Height}x{train.Width}{(options.Recipe is { } recipe ? $" with the {recipe} recipe" : string.Empty)}."),
            Metrics = metrics,
            Training = options.Hyperparameters(),
        };
    }
}
