namespace ConvMixerNet.Vision;

public static partial class ImageOps
{
    /// <summary>
    /// Torchvision's <c>adjust_hue</c> on a PIL image: to Pillow's 8-bit HSV, the hue byte shifted by
    /// <c>uint8(factor·255)</c> with wrap-around, and back to RGB. <paramref name="factor"/> is in [−0.5, 0.5].
    /// </summary>
    public static RgbImage AdjustHue(RgbImage image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!(factor >= -0.5 && factor <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The hue factor must be in [-0.5, 0.5].");
        }

        // numpy's uint8 of a float truncates toward zero, then wraps.
        var shift = (byte)(int)(factor * 255);
        var src = image.Buffer;
        var dst = new byte[src.Length];
        for (var i = 0; i < src.Length; i += 3)
        {
            var (hue, saturation, value) = ToHsv(src[i], src[i + 1], src[i + 2]);
            FromHsv((byte)(hue + shift), saturation, value, dst.AsSpan(i, 3));
        }

        return new RgbImage(image.Width, image.Height, dst);
    }

    // Pillow's rgb2hsv (Convert.c), float arithmetic as there.
    private static (byte H, byte S, byte V) ToHsv(byte r, byte g, byte b)
    {
        var max = Math.Max(r, Math.Max(g, b));
        var min = Math.Min(r, Math.Min(g, b));
        if (min == max)
        {
            return (0, 0, max);
        }

        var cr = (float)(max - min);
        var s = cr / max;
        var rc = (max - r) / cr;
        var gc = (max - g) / cr;
        var bc = (max - b) / cr;
        // 2.0 and 4.0 are doubles in Pillow's C: those sums are rounded to float once.
        var h = r == max ? bc - gc : g == max ? (float)(2.0 + rc - bc) : (float)(4.0 + gc - rc);
        h = (float)((((double)h / 6.0) + 1.0) % 1.0);
        return ((byte)Math.Clamp((int)(h * 255.0), 0, 255), (byte)Math.Clamp((int)(s * 255.0), 0, 255), max);
    }

    // Pillow's hsv2rgb (Convert.c).
    private static void FromHsv(byte h, byte s, byte v, Span<byte> rgb)
    {
        if (s == 0)
        {
            rgb[0] = rgb[1] = rgb[2] = v;
            return;
        }

        var i = (int)Math.Floor(h * 6.0 / 255.0);
        var f = (float)((h * 6.0 / 255.0) - i);
        var fs = (float)(s / 255.0);
        var p = Clip8(Math.Round(v * (1.0 - fs), MidpointRounding.AwayFromZero));
        var q = Clip8(Math.Round(v * (1.0 - (fs * f)), MidpointRounding.AwayFromZero));
        var t = Clip8(Math.Round(v * (1.0 - (fs * (1.0 - f))), MidpointRounding.AwayFromZero));
        (rgb[0], rgb[1], rgb[2]) = (i % 6) switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }

    private static byte Clip8(double value) => (byte)Math.Clamp((int)value, 0, 255);
}
