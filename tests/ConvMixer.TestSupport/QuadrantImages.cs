namespace ConvMixerNet.TestSupport;

/// <summary>
/// A small learnable data set: four classes of square grey images, each class brightening one quadrant, with noise.
/// A tiny ConvMixer separates them in a few epochs.
/// </summary>
public static class QuadrantImages
{
    public static readonly string[] Classes = ["top-left", "top-right", "bottom-left", "bottom-right"];

    /// <summary>Pixels <c>[count, size, size]</c> (row-major bytes) and labels, reproducible from <paramref name="seed"/>.</summary>
    public static (byte[] Pixels, int[] Labels) Generate(int count, int seed, int size = 8)
    {
        var random = new Random(seed);
        var pixels = new byte[count * size * size];
        var labels = new int[count];
        var half = size / 2;
        for (var n = 0; n < count; n++)
        {
            var label = n % Classes.Length;
            labels[n] = label;
            var (top, left) = (label / 2 * half, label % 2 * half);
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var inside = y >= top && y < top + half && x >= left && x < left + half;
                    var value = (inside ? 170 : 40) + random.Next(-40, 41);
                    pixels[(n * size * size) + (y * size) + x] = (byte)value;
                }
            }
        }

        return (pixels, labels);
    }

    /// <summary>Writes an MNIST-layout folder of 8×8 images: 96 training and 32 test images (labels gzipped, as MNIST ships them).</summary>
    public static void WriteIdxSplits(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var (prefix, count, seed) in new[] { ("train", 96, 1), ("t10k", 32, 2) })
        {
            var (pixels, labels) = Generate(count, seed);
            File.WriteAllBytes(Path.Combine(directory, $"{prefix}-images-idx3-ubyte"), IdxWriter.Encode([count, 8, 8], pixels));
            IdxWriter.WriteGzip(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz"), IdxWriter.Encode([count], labels.Select(l => (byte)l).ToArray()));
        }
    }
}
