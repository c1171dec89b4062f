namespace ConvMixerNet.Vision;

/// <summary>
/// torchvision's <c>Normalize</c>: <c>(x - mean[c]) / std[c]</c> per channel, in float32 and in that order. The one
/// normalisation of the repository: evaluation preprocessing (<see cref="ImagePreprocessor"/>), timm's training
/// transforms and ConvMixerNet.Training's batch loader all call it.
/// </summary>
public static class Normalization
{
    /// <summary>Normalises planar (<c>[channels, planeSize]</c>) values scaled to [0, 1], in place.</summary>
    /// <param name="planar">The image, channel after channel.</param>
    /// <param name="mean">One mean per channel.</param>
    /// <param name="std">One positive standard deviation per channel.</param>
    /// <exception cref="ArgumentException">The statistics do not have one value per channel of <paramref name="planar"/>.</exception>
    public static void Apply(Span<float> planar, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        var channels = mean.Count;
        if (channels == 0 || std.Count != channels || planar.Length % channels != 0)
        {
            throw new ArgumentException($"{planar.Length} values cannot be cut into the {mean.Count} channel(s) of {mean.Count} means and {std.Count} standard deviations.", nameof(planar));
        }

        var planeSize = planar.Length / channels;
        for (var c = 0; c < channels; c++)
        {
            float m = mean[c], s = std[c];
            var plane = planar.Slice(c * planeSize, planeSize);
            for (var i = 0; i < plane.Length; i++)
            {
                plane[i] = (plane[i] - m) / s;
            }
        }
    }
}
