using System.Runtime.InteropServices;
using SkiaSharp;

namespace ConvMixerNet.Vision;

/// <summary>Encodes <see cref="RgbImage"/>s as PNG files with SkiaSharp (lossless, 8 bits per channel). Thread-safe.</summary>
public static class ImageEncoder
{
    /// <summary>The image as a PNG file's bytes.</summary>
    public static byte[] EncodePng(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = MemoryMarshal.Cast<byte, uint>(bitmap.GetPixelSpan());
        var rgb = image.Pixels;
        for (var i = 0; i < rgba.Length; i++)
        {
            // Little-endian RGBA: red in the lowest byte, opaque alpha in the highest.
            rgba[i] = rgb[3 * i] | ((uint)rgb[(3 * i) + 1] << 8) | ((uint)rgb[(3 * i) + 2] << 16) | 0xFF000000u;
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width}x{image.Height} PNG.");
        return data.ToArray();
    }
}
