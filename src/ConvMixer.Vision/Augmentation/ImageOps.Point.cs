namespace ConvMixerNet.Vision;

/// <summary>
/// The 8-bit image operations of timm's RandAugment and torchvision's colour jitter, computed as Pillow 9 computes them
/// (<c>ImageOps</c>, <c>ImageEnhance</c>, <c>Image.transform</c>, HSV conversion), so augmented training images match
/// timm's. Each returns a new image and leaves its input unchanged.
/// </summary>
public static partial class ImageOps
{
    /// <summary>Pillow's <c>ImageOps.invert</c>: 255 − v.</summary>
    public static RgbImage Invert(RgbImage image) => Lookup(image, Enumerable.Range(0, 256).Select(v => (byte)(255 - v)).ToArray());

    /// <summary>Pillow's <c>ImageOps.posterize</c>: keeps the <paramref name="bits"/> high bits (8 or more: unchanged, as timm).</summary>
    public static RgbImage Posterize(RgbImage image, int bits)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (bits >= 8)
        {
            return image;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        var mask = (byte)~((1 << (8 - bits)) - 1);
        return Lookup(image, Enumerable.Range(0, 256).Select(v => (byte)(v & mask)).ToArray());
    }

    /// <summary>Pillow's <c>ImageOps.solarize</c>: values at or above <paramref name="threshold"/> are inverted.</summary>
    public static RgbImage Solarize(RgbImage image, int threshold) =>
        Lookup(image, Enumerable.Range(0, 256).Select(v => (byte)(v < threshold ? v : 255 - v)).ToArray());

    /// <summary>timm's <c>solarize_add</c>: values below <paramref name="threshold"/> get <paramref name="add"/> added (at most 255).</summary>
    public static RgbImage SolarizeAdd(RgbImage image, int add, int threshold = 128) =>
        Lookup(image, Enumerable.Range(0, 256).Select(v => (byte)(v < threshold ? Math.Min(255, v + add) : v)).ToArray());

    /// <summary>Pillow's <c>ImageOps.autocontrast</c> (no cut-off): each channel stretched so its lowest value becomes 0 and its highest 255.</summary>
    public static RgbImage AutoContrast(RgbImage image) => Lookup(image, Histograms(image).Select(histogram =>
    {
        var lo = Array.FindIndex(histogram, h => h != 0);
        var hi = Array.FindLastIndex(histogram, h => h != 0);
        if (hi <= lo)
        {
            return Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        }

        var scale = 255.0 / (hi - lo);
        var offset = -lo * scale;
        return Enumerable.Range(0, 256).Select(v => (byte)Math.Clamp((int)((v * scale) + offset), 0, 255)).ToArray();
    }).ToArray());

    /// <summary>Pillow's <c>ImageOps.equalize</c>: each channel's histogram spread evenly over 0..255.</summary>
    public static RgbImage Equalize(RgbImage image) => Lookup(image, Histograms(image).Select(histogram =>
    {
        var used = histogram.Where(h => h != 0).ToArray();
        var identity = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        if (used.Length <= 1)
        {
            return identity;
        }

        // Python's floor division of non-negative integers.
        var step = (used.Sum(h => (long)h) - used[^1]) / 256;
        if (step == 0)
        {
            return identity;
        }

        var lut = new byte[256];
        var n = step / 2;
        for (var i = 0; i < 256; i++)
        {
            lut[i] = (byte)Math.Min(255, n / step);
            n += histogram[i];
        }

        return lut;
    }).ToArray());

    /// <summary>Torchvision's <c>hflip</c> (Pillow's <c>FLIP_LEFT_RIGHT</c>).</summary>
    public static RgbImage FlipLeftRight(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (w, h) = (image.Width, image.Height);
        var src = image.Buffer;
        var dst = new byte[src.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var from = ((y * w) + (w - 1 - x)) * 3;
                var to = ((y * w) + x) * 3;
                dst[to] = src[from];
                dst[to + 1] = src[from + 1];
                dst[to + 2] = src[from + 2];
            }
        }

        return new RgbImage(w, h, dst);
    }

    private static RgbImage Lookup(RgbImage image, byte[] lut) => Lookup(image, [lut, lut, lut]);

    private static RgbImage Lookup(RgbImage image, byte[][] channelLuts)
    {
        ArgumentNullException.ThrowIfNull(image);
        var src = image.Buffer;
        var dst = new byte[src.Length];
        for (var i = 0; i < src.Length; i++)
        {
            dst[i] = channelLuts[i % 3][src[i]];
        }

        return new RgbImage(image.Width, image.Height, dst);
    }

    private static int[][] Histograms(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var histograms = new[] { new int[256], new int[256], new int[256] };
        var src = image.Buffer;
        for (var i = 0; i < src.Length; i++)
        {
            histograms[i % 3][src[i]]++;
        }

        return histograms;
    }
}
