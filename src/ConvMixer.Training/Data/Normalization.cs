namespace ConvMixerNet.Training;

/// <summary>Per-channel <c>(x - mean) / std</c>, applied to every batch after augmentation.</summary>
public sealed record Normalization(IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>Leaves pixels unchanged.</summary>
    public static Normalization Identity { get; } = new([0f], [1f]);

    /// <summary>Fashion-MNIST training-set statistics (one channel).</summary>
    public static Normalization FashionMnist { get; } = new([0.2860f], [0.3530f]);

    /// <summary>ImageNet statistics (RGB), as used by timm's ConvMixer weights.</summary>
    public static Normalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>Per-channel mean and standard deviation of (up to <paramref name="maxImages"/> evenly spread) images of <paramref name="dataset"/>.</summary>
    public static Normalization FromDataset(ImageDataset dataset, int maxImages = 10_000)
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
        return new Normalization(
            mean.Select(m => (float)m).ToArray(),
            std.Select(s => s > 1e-6 ? (float)s : 1f).ToArray());
    }

    /// <summary>Mean of channel <paramref name="channel"/>; a single value applies to every channel.</summary>
    public float MeanOf(int channel) => Mean.Count == 1 ? Mean[0] : Mean[channel];

    /// <summary>Standard deviation of channel <paramref name="channel"/>; a single value applies to every channel.</summary>
    public float StdOf(int channel) => Std.Count == 1 ? Std[0] : Std[channel];

    /// <summary>Throws unless the statistics fit images with <paramref name="channels"/> channels.</summary>
    public void ValidateFor(int channels)
    {
        if (Mean.Count != Std.Count || (Mean.Count != 1 && Mean.Count != channels))
        {
            throw new ArgumentException(
                $"Normalization has {Mean.Count} means and {Std.Count} standard deviations; images have {channels} channels (give 1 or {channels} of each).");
        }

        if (Std.Any(s => !(s > 0)))
        {
            throw new ArgumentException("Every normalization standard deviation must be positive.");
        }
    }
}
