namespace ConvMixerNet.Training;

/// <summary>
/// Image files read from disk whenever a sample is asked for: each is decoded, its shorter side resized and its centre
/// cropped to a square, as <see cref="ImageFolderLoader"/> does once and keeps. For evaluation sets larger than memory
/// should hold; the pixels equal the in-memory set's.
/// </summary>
public sealed class ImageFileDataset : ImageDataset
{
    private readonly (string Path, int Label)[] _files;
    private readonly ImageFileDecoder _decoder;
    private readonly double _cropFraction;
    private readonly int _side;

    /// <summary>Creates the data set; nothing is read until a sample is.</summary>
    /// <param name="files">Image files and their labels.</param>
    /// <param name="classNames">Class names, indexed by label.</param>
    /// <param name="decoder">Reads the files (thread-safe).</param>
    /// <param name="imageSize">Side of the square samples.</param>
    /// <param name="cropFraction">Fraction of the resized image kept by the centre crop.</param>
    public ImageFileDataset(IReadOnlyList<(string Path, int Label)> files, IReadOnlyList<string> classNames, ImageFileDecoder decoder, int imageSize, double cropFraction = 1.0)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        _files = files.ToArray();
        ClassNames = classNames;
        _decoder = decoder;
        _side = imageSize;
        _cropFraction = cropFraction;
    }

    /// <inheritdoc />
    public override int Count => _files.Length;

    /// <inheritdoc />
    public override int Channels => _decoder.Channels;

    /// <inheritdoc />
    public override int Height => _side;

    /// <inheritdoc />
    public override int Width => _side;

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc />
    public override int LabelAt(int index) => _files[index].Label;

    /// <inheritdoc />
    /// <exception cref="IOException">The file can no longer be read (it was checked when the set was opened).</exception>
    public override void CopyPixels(int index, Span<float> destination)
    {
        var pixels = _decoder.DecodePlanar(_files[index].Path, _side, _cropFraction);
        for (var i = 0; i < pixels.Length; i++)
        {
            destination[i] = pixels[i] * (1f / 255f);
        }
    }
}
