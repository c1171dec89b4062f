namespace ConvMixerNet.Vision;

/// <summary>
/// <see cref="IImageFileDecoder"/> over <see cref="ImageDecoder"/> and <see cref="ImagePreprocessor"/>: what
/// ConvMixerNet.Training's image folders decode with (bicubic resize as in PIL, EXIF orientation applied).
/// </summary>
public sealed class ImageFileDecoder : IImageFileDecoder
{
    /// <summary>The decoder with the published models' interpolation (bicubic).</summary>
    public static ImageFileDecoder Default { get; } = new();

    /// <summary>Creates a decoder.</summary>
    /// <param name="interpolation">The resampling filter of the resize.</param>
    /// <param name="applyExifOrientation">Turn photos upright according to their EXIF orientation tag.</param>
    public ImageFileDecoder(Interpolation interpolation = Interpolation.Bicubic, bool applyExifOrientation = true)
    {
        Interpolation = interpolation;
        ApplyExifOrientation = applyExifOrientation;
    }

    /// <summary>The resampling filter of the resize.</summary>
    public Interpolation Interpolation { get; }

    /// <summary>Whether decoding honours the EXIF orientation tag.</summary>
    public bool ApplyExifOrientation { get; }

    /// <inheritdoc />
    public IReadOnlySet<string> FileExtensions => ImageDecoder.FileExtensions;

    /// <inheritdoc />
    public int Channels => 3;

    /// <inheritdoc />
    public byte[] DecodePlanar(string path, int side, double cropFraction)
    {
        var preprocessor = new ImagePreprocessor(
            new ImageDataConfig { InputSize = side, CropFraction = cropFraction, Interpolation = Interpolation }, ApplyExifOrientation);
        return preprocessor.ResizeAndCrop(preprocessor.Decode(path)).ToPlanar();
    }
}
