using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvMixerNet.Onnx.Tests;

/// <summary>
/// Fixtures/fashion-mnist (tools/onnx/make_quantization_fixtures.py): a ConvMixer-32/3 trained on Fashion-MNIST by
/// <c>convmixer train</c>, and the first 2,256 images of Fashion-MNIST's test split.
/// </summary>
internal static class FashionMnist
{
    public const int Side = 28;

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "fashion-mnist");

    public static string ModelFolder => Path.Combine(Folder, "model");

    /// <summary>Images <c>[first, first + count)</c> as a flat <c>[count, 1, 28, 28]</c> batch, normalised as the model was trained: (v / 255 − mean) / std.</summary>
    public static float[] Images(int first, int count, DataConfig data)
    {
        var (dims, body) = ReadIdx("t10k-images-idx3-ubyte.gz");
        if (dims is not [var total, Side, Side] || first + count > total)
        {
            throw new InvalidDataException($"The fixture holds [{string.Join(", ", dims)}] images; [{first}, {first + count}) of 28×28 were asked for.");
        }

        var pixels = body.AsSpan(first * Side * Side, count * Side * Side);
        float mean = data.Mean[0], std = data.Std[0];
        var values = new float[pixels.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((pixels[i] / 255f) - mean) / std;
        }

        return values;
    }

    /// <summary>The class indices of images <c>[first, first + count)</c>.</summary>
    public static int[] Labels(int first, int count) => [.. ReadIdx("t10k-labels-idx1-ubyte.gz").Body.AsSpan(first, count).ToArray().Select(b => (int)b)];

    private static (int[] Dims, byte[] Body) ReadIdx(string name)
    {
        using var file = File.OpenRead(Path.Combine(Folder, name));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        var data = memory.ToArray();
        var rank = data[3];
        var dims = Enumerable.Range(0, rank).Select(d => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4 + (4 * d)))).ToArray();
        return (dims, data[(4 + (4 * rank))..]);
    }
}
