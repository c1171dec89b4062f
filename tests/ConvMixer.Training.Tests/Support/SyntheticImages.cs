namespace ConvMixerNet.Training.Tests;

/// <summary>The quadrant images of <see cref="QuadrantImages"/> as a data set, and a tiny model that learns them.</summary>
internal static class SyntheticImages
{
    public static readonly string[] Classes = QuadrantImages.Classes;

    public static InMemoryImageDataset Create(int count, int seed, int size = 8)
    {
        var (pixels, labels) = QuadrantImages.Generate(count, seed, size);
        return InMemoryImageDataset.FromBytes(pixels, labels, channels: 1, size, size, Classes);
    }

    public static ConvMixer TinyModel(long seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        return new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: Classes.Length, inChannels: 1);
    }
}
