namespace ConvMixerNet.Training.Tests;

/// <summary>
/// A small learnable data set: four classes of 8x8 grey images, each class brightening one quadrant, with noise.
/// A tiny ConvMixer separates them in a few epochs.
/// </summary>
internal static class SyntheticImages
{
    public static readonly string[] Classes = ["top-left", "top-right", "bottom-left", "bottom-right"];

    public static InMemoryImageDataset Create(int count, int seed, int size = 8)
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

        return InMemoryImageDataset.FromBytes(pixels, labels, channels: 1, size, size, Classes);
    }

    public static ConvMixer TinyModel(long seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        return new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: Classes.Length, inChannels: 1);
    }
}
