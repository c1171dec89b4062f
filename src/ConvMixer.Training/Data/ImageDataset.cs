namespace ConvMixerNet.Training;

/// <summary>
/// A labelled set of equally sized images, read one image at a time by a <see cref="BatchLoader"/>.
/// Pixels are channel-major (<c>[C, H, W]</c>) floats, in [0, 1] for decoded images.
/// </summary>
public abstract class ImageDataset
{
    /// <summary>Number of images.</summary>
    public abstract int Count { get; }

    /// <summary>Channels per image (1 for grey scale, 3 for RGB).</summary>
    public abstract int Channels { get; }

    /// <summary>Height of every image in pixels.</summary>
    public abstract int Height { get; }

    /// <summary>Width of every image in pixels.</summary>
    public abstract int Width { get; }

    /// <summary>Names of the classes; label <c>i</c> means <c>ClassNames[i]</c>.</summary>
    public abstract IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>Floats per image: <c>Channels * Height * Width</c>.</summary>
    public int PixelsPerImage => Channels * Height * Width;

    /// <summary>The class index of image <paramref name="index"/>.</summary>
    public abstract int LabelAt(int index);

    /// <summary>Writes image <paramref name="index"/> as <c>[C, H, W]</c> floats into <paramref name="destination"/>.</summary>
    /// <remarks>Must be safe to call from a background thread while no other thread changes the data set.</remarks>
    public abstract void CopyPixels(int index, Span<float> destination);

    /// <summary>A short description for logs: count, shape and classes.</summary>
    public override string ToString() => $"{Count} images of {Channels}x{Height}x{Width}, {ClassCount} classes";
}
