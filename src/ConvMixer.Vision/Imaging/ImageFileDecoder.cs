namespace ConvMixerNet.Vision;

/// <summary>
/// Image files as fixed-size 8-bit planar pixels, over <see cref="ImageDecoder"/> and <see cref="ImagePreprocessor"/>: what
/// ConvMixerNet.Training's image folders decode with, with the resize, crop mode and channels of a
/// <see cref="DataConfig"/> (EXIF orientation applied), so evaluation sees what classification sees.
/// </summary>
public sealed class ImageFileDecoder
{
    /// <summary>RGB images resized bicubically, as the published models and image-folder training use.</summary>
    public static ImageFileDecoder Default { get; } = new(DataConfig.ImageNet);

    /// <summary>Creates a decoder that resizes as <paramref name="config"/> says (its size and crop fraction are given per call).</summary>
    /// <param name="config">Interpolation, crop mode and channels (1: grey as PIL's <c>convert('L')</c>; 3: RGB).</param>
    /// <param name="applyExifOrientation">Turn photos upright according to their EXIF orientation tag.</param>
    public ImageFileDecoder(DataConfig config, bool applyExifOrientation = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        ApplyExifOrientation = applyExifOrientation;
    }

    /// <summary>The resize settings.</summary>
    public DataConfig Config { get; }

    /// <summary>Whether decoding honours the EXIF orientation tag.</summary>
    public bool ApplyExifOrientation { get; }

    /// <summary>File extensions this decoder reads, with the dot (for example <c>.png</c>), compared case-insensitively.</summary>
    public IReadOnlySet<string> FileExtensions => ImageDecoder.FileExtensions;

    /// <summary>Channels of the decoded pixels (1 or 3).</summary>
    public int Channels => Config.InChannels;

    /// <summary>
    /// Decodes <paramref name="path"/>, resizes its shorter side to <c>floor(side / cropFraction)</c> and cuts out the
    /// centre <paramref name="side"/>×<paramref name="side"/> square.
    /// </summary>
    /// <returns>Channel-major (<c>[Channels, side, side]</c>) bytes.</returns>
    /// <exception cref="IOException">The file is missing, unreadable or not a decodable image; the message says why.</exception>
    public byte[] DecodePlanar(string path, int side, double cropFraction)
    {
        var preprocessor = new ImagePreprocessor(Config with { InputSize = side, CropFraction = cropFraction }, ApplyExifOrientation);
        var planar = preprocessor.DecodeResized(path).ToPlanar();
        // Grey images come back with three equal channels; keep one.
        return Channels == 1 ? planar[..(side * side)] : planar;
    }
}
