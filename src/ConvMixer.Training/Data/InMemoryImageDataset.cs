using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>
/// Images held in memory, either as bytes (decoded files: 0..255 scaled to [0, 1] on read, a quarter of the memory
/// of floats) or as floats (tensors supplied by the caller, used as they are).
/// </summary>
public sealed class InMemoryImageDataset : ImageDataset
{
    private readonly byte[]? _bytes;
    private readonly float[]? _floats;
    private readonly int[] _labels;

    private InMemoryImageDataset(byte[]? bytes, float[]? floats, int[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count == 0)
        {
            throw new ArgumentException("A data set needs at least one class name.", nameof(classNames));
        }

        long expected = (long)labels.Length * channels * height * width;
        long actual = bytes?.LongLength ?? floats!.LongLength;
        if (actual != expected)
        {
            throw new ArgumentException(
                $"{labels.Length} labels of {channels}x{height}x{width} images need {expected} pixel values, but {actual} were given.");
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classNames.Count)
            {
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside the {classNames.Count} classes [0, {classNames.Count - 1}].", nameof(labels));
            }
        }

        _bytes = bytes;
        _floats = floats;
        _labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = classNames;
    }

    /// <inheritdoc />
    public override int Count => _labels.Length;

    /// <inheritdoc />
    public override int Channels { get; }

    /// <inheritdoc />
    public override int Height { get; }

    /// <inheritdoc />
    public override int Width { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames { get; }

    /// <summary>Wraps 8-bit pixels laid out as <c>[N, C, H, W]</c>; they are read as <c>value / 255</c>.</summary>
    public static InMemoryImageDataset FromBytes(byte[] pixels, int[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        return new InMemoryImageDataset(pixels, null, labels, channels, height, width, classNames);
    }

    /// <summary>Wraps float pixels laid out as <c>[N, C, H, W]</c>; they are read unchanged.</summary>
    public static InMemoryImageDataset FromFloats(float[] pixels, int[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        return new InMemoryImageDataset(null, pixels, labels, channels, height, width, classNames);
    }

    /// <summary>
    /// Copies tensors into a data set: <paramref name="images"/> <c>[N, C, H, W]</c> of uint8 (read as value / 255) or
    /// a floating type (read unchanged), <paramref name="labels"/> <c>[N]</c> of an integer type.
    /// </summary>
    public static InMemoryImageDataset FromTensors(Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.dim() != 4)
        {
            throw new ArgumentException($"Expected images of shape [N, C, H, W], but got shape [{string.Join(", ", images.shape)}].", nameof(images));
        }

        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
        {
            throw new ArgumentException($"Expected labels of shape [{images.shape[0]}], but got shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        if (labels.is_floating_point() || labels.dtype == ScalarType.Bool)
        {
            throw new ArgumentException($"Expected integer labels, but got {labels.dtype}.", nameof(labels));
        }

        using var scope = NewDisposeScope();
        var labelArray = labels.cpu().to(ScalarType.Int32).data<int>().ToArray();
        var (channels, height, width) = ((int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
        if (images.dtype == ScalarType.Byte)
        {
            return FromBytes(images.cpu().contiguous().data<byte>().ToArray(), labelArray, channels, height, width, classNames);
        }

        if (!images.is_floating_point())
        {
            throw new ArgumentException($"Expected uint8 or floating-point images, but got {images.dtype}.", nameof(images));
        }

        return FromFloats(images.cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray(), labelArray, channels, height, width, classNames);
    }

    /// <summary>The first <paramref name="count"/> images (or all if there are fewer), sharing nothing with this set.</summary>
    public InMemoryImageDataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, Count);
        var labels = _labels.AsSpan(0, count).ToArray();
        var length = count * PixelsPerImage;
        return _bytes is not null
            ? FromBytes(_bytes.AsSpan(0, length).ToArray(), labels, Channels, Height, Width, ClassNames)
            : FromFloats(_floats!.AsSpan(0, length).ToArray(), labels, Channels, Height, Width, ClassNames);
    }

    /// <inheritdoc />
    public override int LabelAt(int index) => _labels[index];

    /// <inheritdoc />
    public override void CopyPixels(int index, Span<float> destination)
    {
        var size = PixelsPerImage;
        if (_floats is not null)
        {
            _floats.AsSpan(index * size, size).CopyTo(destination);
            return;
        }

        var source = _bytes.AsSpan(index * size, size);
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = source[i] * (1f / 255f);
        }
    }
}
