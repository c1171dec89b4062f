using System.Buffers.Binary;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Benchmarks;

/// <summary>Reads the Fashion-MNIST IDX files (gzip-compressed, as published) into normalised image and label tensors.</summary>
internal static class FashionMnist
{
    // Mean and standard deviation of the training pixels in [0, 1].
    private const float Mean = 0.2860f;
    private const float Std = 0.3530f;

    /// <summary>Images <c>[n, 1, 28, 28]</c> (float32, normalised) and labels <c>[n]</c> (int64) of the "train" or "t10k" split.</summary>
    public static (Tensor Images, Tensor Labels) Load(string directory, string split, int maxCount = int.MaxValue)
    {
        var pixels = ReadIdx(Path.Combine(directory, $"{split}-images-idx3-ubyte.gz"), expectedMagic: 2051, out var imageShape);
        var labels = ReadIdx(Path.Combine(directory, $"{split}-labels-idx1-ubyte.gz"), expectedMagic: 2049, out var labelShape);
        if (imageShape[0] != labelShape[0])
        {
            throw new InvalidDataException($"Fashion-MNIST {split}: {imageShape[0]} images but {labelShape[0]} labels.");
        }

        var count = Math.Min(imageShape[0], maxCount);
        using var scope = torch.NewDisposeScope();
        var images = torch.tensor(pixels.AsSpan(0, count * imageShape[1] * imageShape[2]).ToArray(), [count, 1, imageShape[1], imageShape[2]])
            .to(ScalarType.Float32).div_(255f).sub_(Mean).div_(Std);
        var labelTensor = torch.tensor(labels.AsSpan(0, count).ToArray(), [count]).to(ScalarType.Int64);
        return (images.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope());
    }

    private static byte[] ReadIdx(string path, int expectedMagic, out int[] shape)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Fashion-MNIST file not found: {path}. Pass the folder that holds the four *-ubyte.gz files.", path);
        }

        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        var data = memory.ToArray();
        var magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != expectedMagic)
        {
            throw new InvalidDataException($"{path}: IDX magic number {magic}, expected {expectedMagic}.");
        }

        var dims = magic & 0xFF;
        shape = Enumerable.Range(0, dims).Select(i => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4 + (4 * i)))).ToArray();
        return data[(4 + (4 * dims))..];
    }
}
