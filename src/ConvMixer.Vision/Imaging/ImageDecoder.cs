using System.Runtime.InteropServices;
using SkiaSharp;

namespace ConvMixerNet.Vision;

/// <summary>
/// Decodes JPEG, PNG, WebP, BMP and GIF (first frame) files into <see cref="RgbImage"/>s with SkiaSharp.
/// Grayscale, palette and alpha images become RGB the way PIL's <c>convert('RGB')</c> does it: gray is
/// repeated in the three channels, palette indices are looked up, and alpha is dropped (colours are not
/// blended with a background). No colour management is applied, as in PIL. Thread-safe.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Largest image accepted, in pixels (width × height), so a crafted header cannot exhaust memory.</summary>
    public const long MaxPixels = 100_000_000;

    /// <summary>The file extensions of the formats decoded here (with the dot, case-insensitive).</summary>
    public static IReadOnlySet<string> FileExtensions { get; } =
        new HashSet<string>([".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"], StringComparer.OrdinalIgnoreCase);

    private const long MaxDeflateRatio = 1032;

    // Decoded images at least this large are collected right after they were resized.
    private const long CollectAfterBytes = 64L << 20;

    /// <summary>Largest image file read (512 MiB), so a device, a FIFO or a huge file is refused instead of read without end.</summary>
    public const long MaxFileBytes = 512L << 20;

    /// <summary>Reads and decodes an image file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="applyExifOrientation">Turn the image upright according to its EXIF orientation tag.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageDecodeException">The path is a folder, a device, FIFO or socket, larger than <see cref="MaxFileBytes"/>, or the file is empty, not an image in a supported format, truncated or corrupt.</exception>
    public static RgbImage Decode(string path, bool applyExifOrientation = true) =>
        DecodeFile(path, applyExifOrientation, image => image, (_, _) => 0);

    /// <summary>Decodes an image read from <paramref name="stream"/> (read to its end, not closed).</summary>
    /// <param name="stream">The encoded image.</param>
    /// <param name="imageName">A name used in error messages.</param>
    /// <param name="applyExifOrientation">Turn the image upright according to its EXIF orientation tag.</param>
    /// <exception cref="ImageDecodeException">The data is empty, not an image in a supported format, truncated or corrupt.</exception>
    public static RgbImage Decode(Stream stream, string imageName = "stream", bool applyExifOrientation = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Decode(copy.GetBuffer().AsSpan(0, (int)copy.Length), imageName, applyExifOrientation);
    }

    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="data">The encoded image (a whole file).</param>
    /// <param name="imageName">A name used in error messages.</param>
    /// <param name="applyExifOrientation">Turn the image upright according to its EXIF orientation tag.</param>
    /// <exception cref="ImageDecodeException">The data is empty, not an image in a supported format, truncated or corrupt.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string imageName = "image", bool applyExifOrientation = true)
    {
        ArgumentNullException.ThrowIfNull(imageName);
        if (data.IsEmpty)
        {
            throw new ImageDecodeException(imageName, "the data is empty (0 bytes)");
        }

        using var encoded = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(encoded) ?? throw NotAnImage(imageName);
        return DecodeWithin(codec, data.Length, imageName, applyExifOrientation, image => image, (_, _) => 0);
    }

    /// <summary>
    /// Decodes an image file and hands it to <paramref name="transform"/> (a resize, say) while the decode memory is
    /// still reserved, so the shared <see cref="DecodeMemoryBudget"/> covers decoding and transforming together.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="applyExifOrientation">Turn the image upright according to its EXIF orientation tag.</param>
    /// <param name="transform">What to do with the decoded image while its memory is reserved.</param>
    /// <param name="transformBytes">An estimate of what <paramref name="transform"/> allocates for a width × height image.</param>
    internal static T DecodeFile<T>(string path, bool applyExifOrientation, Func<RgbImage, T> transform, Func<int, int, long> transformBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = Path.GetFileName(path);
        if (Directory.Exists(path))
        {
            throw new ImageDecodeException(name, "it is a folder, not an image file");
        }

        if (FileKind.IsSpecial(path))
        {
            // Reading a device never ends and opening a FIFO blocks until someone writes to it.
            throw new ImageDecodeException(name, "it is not a regular file (a device, FIFO or socket)");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The image '{path}' does not exist.", path);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var length = stream.Length; // the codec owns (and may close) the stream once created
        if (length == 0)
        {
            throw new ImageDecodeException(name, "the file is empty (0 bytes)");
        }

        if (length > MaxFileBytes)
        {
            throw new ImageDecodeException(name, $"the file has {length:N0} bytes; image files of at most {MaxFileBytes:N0} bytes are read");
        }

        // The codec reads the header from the stream: the declared size is known before any pixel memory is taken.
        using var codec = SKCodec.Create(stream) ?? throw NotAnImage(name);
        return DecodeWithin(codec, length, name, applyExifOrientation, transform, transformBytes);
    }

    private static T DecodeWithin<T>(SKCodec codec, long encodedBytes, string imageName, bool applyExifOrientation, Func<RgbImage, T> transform, Func<int, int, long> transformBytes)
    {
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
        {
            throw new ImageDecodeException(imageName, $"the image claims to be {width}x{height} pixels; at most {MaxPixels:N0} pixels are accepted");
        }

        // A PNG's rows (at least one bit per pixel plus a filter byte) are deflated, which shrinks data at most 1032:1.
        if (codec.EncodedFormat == SKEncodedImageFormat.Png && height * (1 + ((width + 7L) / 8)) / MaxDeflateRatio > encodedBytes)
        {
            throw new ImageDecodeException(imageName, $"the PNG claims to be {width}x{height} pixels, which its {encodedBytes:N0} bytes cannot hold (the header is corrupt or crafted)");
        }

        // RGBA from the decoder, RGB after dropping alpha, and a rotated copy for EXIF orientation.
        var pixels = (long)width * height;
        using var reservation = DecodeMemoryBudget.Shared.Reserve((pixels * 10) + transformBytes(width, height));

        // Unpremultiplied RGBA with no colour space: the stored colour values, as PIL reads them. The RGBA buffer is
        // native memory, freed as soon as the RGB copy exists, so it never waits for a garbage collection.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        RgbImage image;
        var rgba = Marshal.AllocHGlobal(checked((nint)info.BytesSize64));
        try
        {
            var result = codec.GetPixels(info, rgba);
            if (result != SKCodecResult.Success)
            {
                throw new ImageDecodeException(imageName, result switch
                {
                    SKCodecResult.IncompleteInput => $"the {FormatName(codec)} data is truncated (the file ends before the image is complete)",
                    SKCodecResult.ErrorInInput => $"the {FormatName(codec)} data is corrupt",
                    SKCodecResult.InvalidInput => $"the {FormatName(codec)} data is invalid (truncated or corrupt)",
                    _ => $"the {FormatName(codec)} decoder failed ({result})",
                });
            }

            image = DropAlpha(rgba, width, height);
        }
        finally
        {
            Marshal.FreeHGlobal(rgba);
        }

        var transformed = transform(applyExifOrientation ? ExifOrientation.ToUpright(image, codec.EncodedOrigin) : image);
        if (!ReferenceEquals(transformed, image) && pixels * 3 >= CollectAfterBytes)
        {
            // The decoded pixels are garbage now; collect them before the next decode reserves the memory they held,
            // or the budget would bound only what is in use, not what the process holds.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        }

        return transformed;
    }

    private static ImageDecodeException NotAnImage(string imageName) =>
        new(imageName, "not a supported image (JPEG, PNG, WebP, BMP or GIF), or its header is corrupt or cut short");

    private static RgbImage DropAlpha(IntPtr rgba, int width, int height)
    {
        var rgb = new byte[(long)width * height * 3];
        var row = new byte[width * 4];
        long j = 0;
        for (var y = 0; y < height; y++)
        {
            Marshal.Copy(rgba + ((nint)y * row.Length), row, 0, row.Length);
            for (var i = 0; i < row.Length; i += 4, j += 3)
            {
                rgb[j] = row[i];
                rgb[j + 1] = row[i + 1];
                rgb[j + 2] = row[i + 2];
            }
        }

        return new RgbImage(width, height, rgb);
    }

    private static string FormatName(SKCodec codec) => codec.EncodedFormat switch
    {
        SKEncodedImageFormat.Jpeg => "JPEG",
        SKEncodedImageFormat.Png => "PNG",
        SKEncodedImageFormat.Webp => "WebP",
        SKEncodedImageFormat.Bmp => "BMP",
        SKEncodedImageFormat.Gif => "GIF",
        var other => other.ToString(),
    };
}
