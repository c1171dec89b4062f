using SkiaSharp;

namespace ConvMixerNet.Vision;

/// <summary>
/// Turns stored pixels upright according to the EXIF orientation tag, as viewers (and PIL's
/// <c>ImageOps.exif_transpose</c>) do. Cameras often store a portrait photo as landscape pixels plus a tag.
/// </summary>
internal static class ExifOrientation
{
    public static RgbImage ToUpright(RgbImage stored, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default)
        {
            return stored;
        }

        int w = stored.Width, h = stored.Height;
        var swapsSides = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int outW = swapsSides ? h : w, outH = swapsSides ? w : h;
        var source = stored.Buffer;
        var result = new byte[source.Length];
        for (var y = 0; y < outH; y++)
        {
            for (var x = 0; x < outW; x++)
            {
                // The stored pixel that the viewer shows at (x, y).
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),             // mirrored horizontally
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),  // rotated 180°
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),           // mirrored vertically
                    SKEncodedOrigin.LeftTop => (y, x),                      // transposed
                    SKEncodedOrigin.RightTop => (y, h - 1 - x),             // needs 90° clockwise
                    SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),  // transversed
                    SKEncodedOrigin.LeftBottom => (w - 1 - y, x),           // needs 90° counter-clockwise
                    _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "Unknown EXIF orientation."),
                };
                var to = ((y * outW) + x) * 3;
                var from = ((sy * w) + sx) * 3;
                result[to] = source[from];
                result[to + 1] = source[from + 1];
                result[to + 2] = source[from + 2];
            }
        }

        return new RgbImage(outW, outH, result);
    }
}
