namespace ConvMixerNet.Vision;

public static partial class ImageOps
{
    /// <summary>Pillow's <c>ImageEnhance.Brightness</c> (torchvision's <c>adjust_brightness</c>): a blend with black.</summary>
    public static RgbImage Brightness(RgbImage image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Blend(new byte[image.Buffer.Length], image, factor);
    }

    /// <summary>Pillow's <c>ImageEnhance.Color</c> (torchvision's <c>adjust_saturation</c>): a blend with the image's grey version.</summary>
    public static RgbImage Color(RgbImage image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Blend(image.ToGrey().Buffer, image, factor);
    }

    /// <summary>
    /// Pillow's <c>ImageEnhance.Contrast</c> (torchvision's <c>adjust_contrast</c>): a blend with a grey image of the
    /// rounded mean of the image's grey version.
    /// </summary>
    public static RgbImage Contrast(RgbImage image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        var grey = image.ToGrey().Buffer;
        var sum = 0.0;
        for (var i = 0; i < grey.Length; i += 3)
        {
            sum += grey[i];
        }

        var mean = (byte)(int)((sum / (grey.Length / 3)) + 0.5);
        var degenerate = new byte[grey.Length];
        Array.Fill(degenerate, mean);
        return Blend(degenerate, image, factor);
    }

    /// <summary>
    /// Pillow's <c>ImageEnhance.Sharpness</c>: a blend with the image smoothed by <c>ImageFilter.SMOOTH</c> (3×3, centre 5,
    /// others 1, divided by 13; the border pixels stay as they are).
    /// </summary>
    public static RgbImage Sharpness(RgbImage image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Blend(Smooth(image), image, factor);
    }

    /// <summary>
    /// Pillow's <c>Image.blend(degenerate, image, factor)</c> in its float32 arithmetic: <c>d + factor·(v − d)</c>, clipped
    /// to 0..255 and truncated.
    /// </summary>
    private static RgbImage Blend(byte[] degenerate, RgbImage image, double factor)
    {
        var alpha = (float)factor;
        var src = image.Buffer;
        var dst = new byte[src.Length];
        for (var i = 0; i < src.Length; i++)
        {
            var value = degenerate[i] + (alpha * (src[i] - degenerate[i]));
            dst[i] = value <= 0f ? (byte)0 : value >= 255f ? (byte)255 : (byte)value;
        }

        return new RgbImage(image.Width, image.Height, dst);
    }

    private static byte[] Smooth(RgbImage image)
    {
        const float edge = 1f / 13f, centre = 5f / 13f;
        var (w, h) = (image.Width, image.Height);
        var src = image.Buffer;
        var dst = (byte[])src.Clone();
        var stride = w * 3;
        for (var y = 1; y < h - 1; y++)
        {
            for (var x = 1; x < w - 1; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var at = (y * stride) + (x * 3) + c;
                    // Pillow's order: the row below, the row itself, the row above; 0.5 added first for rounding.
                    var sum = 0.5f;
                    sum += Row(src, at + stride, edge, edge);
                    sum += Row(src, at, edge, centre);
                    sum += Row(src, at - stride, edge, edge);
                    dst[at] = sum <= 0f ? (byte)0 : sum >= 255f ? (byte)255 : (byte)sum;
                }
            }
        }

        return dst;
    }

    private static float Row(byte[] src, int at, float side, float middle) => (src[at - 3] * side) + (src[at] * middle) + (src[at + 3] * side);
}
