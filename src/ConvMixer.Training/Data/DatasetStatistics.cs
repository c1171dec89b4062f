namespace ConvMixerNet.Training;

/// <summary>
/// Data configurations for training data: the model's input size and channels, no crop, and the per-channel mean and
/// standard deviation that normalise every batch. The trained model stores the same configuration, so predicting
/// and evaluating later preprocess as training did.
/// </summary>
public static class DatasetStatistics
{
    /// <summary>Fashion-MNIST's training-set statistics (one channel, 28×28).</summary>
    public static DataConfig FashionMnist { get; } = ForImages(1, 28, [0.2860f], [0.3530f]);

    /// <summary>
    /// The configuration to train on <paramref name="train"/> with: when fine-tuning, the statistics the pretrained
    /// model was trained with (its stored ones, else ImageNet's for an RGB model, as the published weights use), since
    /// its features expect them; from scratch, the training set's own (<see cref="Measure"/>).
    /// </summary>
    public static DataConfig ForTraining(ImageDataset train, ConvMixer? pretrained)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (pretrained is null)
        {
            return Measure(train);
        }

        var stored = pretrained.Pretrained?.Data;
        if (stored is not null && stored.InChannels == train.Channels)
        {
            return ForImages(train.Channels, train.Height, stored.Mean, stored.Std);
        }

        return train.Channels == 3 ? ForImages(3, train.Height, DataConfig.ImageNetMean, DataConfig.ImageNetStd) : Measure(train);
    }

    /// <summary>The configuration of <paramref name="dataset"/>'s images normalised with their own statistics (over up to <paramref name="maxImages"/> evenly spread images).</summary>
    public static DataConfig Measure(ImageDataset dataset, int maxImages = 10_000)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxImages, 1);
        var channels = dataset.Channels;
        var plane = dataset.Height * dataset.Width;
        var sum = new double[channels];
        var sumOfSquares = new double[channels];
        var image = new float[dataset.PixelsPerImage];
        var used = Math.Min(maxImages, dataset.Count);
        for (var k = 0; k < used; k++)
        {
            dataset.CopyPixels((int)((long)k * dataset.Count / used), image);
            for (var c = 0; c < channels; c++)
            {
                foreach (var v in image.AsSpan(c * plane, plane))
                {
                    sum[c] += v;
                    sumOfSquares[c] += (double)v * v;
                }
            }
        }

        var n = (double)used * plane;
        var mean = sum.Select(s => s / n).ToArray();
        var std = sumOfSquares.Select((s, c) => Math.Sqrt(Math.Max(s / n - (mean[c] * mean[c]), 0))).ToArray();
        return ForImages(channels, dataset.Height, mean.Select(m => (float)m).ToArray(), std.Select(s => s > 1e-6 ? (float)s : 1f).ToArray());
    }

    /// <summary>The configuration of <paramref name="dataset"/>'s images without normalisation (mean 0, std 1).</summary>
    public static DataConfig Unnormalized(ImageDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return ForImages(dataset.Channels, dataset.Height, Enumerable.Repeat(0f, dataset.Channels).ToArray(), Enumerable.Repeat(1f, dataset.Channels).ToArray());
    }

    /// <summary>Square images of <paramref name="side"/> pixels, kept whole (crop 1.0), resized bicubically as image folders are.</summary>
    public static DataConfig ForImages(int channels, int side, IReadOnlyList<float> mean, IReadOnlyList<float> std) => new()
    {
        InChannels = channels,
        InputSize = side,
        CropFraction = 1.0,
        Interpolation = Interpolation.Bicubic,
        Mean = mean,
        Std = std,
    };
}
