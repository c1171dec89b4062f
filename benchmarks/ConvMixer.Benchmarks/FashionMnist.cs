using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Benchmarks;

/// <summary>Reads the Fashion-MNIST IDX files (gzip-compressed, as published) into normalised image and label tensors.</summary>
internal static class FashionMnist
{
    /// <summary>Images <c>[n, 1, 28, 28]</c> (float32, normalised) and labels <c>[n]</c> (int64) of the "train" or "t10k" split.</summary>
    public static (Tensor Images, Tensor Labels) Load(string directory, string split, int maxCount = int.MaxValue)
    {
        // The library's IDX reader checks magic numbers and sizes; here the bytes only become normalised tensors.
        var (imageShape, pixels) = IdxFile.Read(Path.Combine(directory, $"{split}-images-idx3-ubyte.gz"));
        var (labelShape, labels) = IdxFile.Read(Path.Combine(directory, $"{split}-labels-idx1-ubyte.gz"));
        if (imageShape.Length != 3 || labelShape.Length != 1 || imageShape[0] != labelShape[0])
        {
            throw new InvalidDataException($"Fashion-MNIST {split}: images [{string.Join(", ", imageShape)}] do not pair with labels [{string.Join(", ", labelShape)}].");
        }

        var count = Math.Min(imageShape[0], maxCount);
        using var scope = torch.NewDisposeScope();
        var images = torch.tensor(pixels.AsSpan(0, count * imageShape[1] * imageShape[2]).ToArray(), [count, 1, imageShape[1], imageShape[2]])
            .to(ScalarType.Float32).div_(255f).sub_(DatasetStatistics.FashionMnist.Mean[0]).div_(DatasetStatistics.FashionMnist.Std[0]);
        var labelTensor = torch.tensor(labels.AsSpan(0, count).ToArray(), [count]).to(ScalarType.Int64);
        return (images.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope());
    }
}
