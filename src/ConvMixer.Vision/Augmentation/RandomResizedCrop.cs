namespace ConvMixerNet.Vision;

/// <summary>
/// timm's <c>RandomResizedCropAndInterpolation</c>: a box of a random fraction of the image's area
/// (<see cref="Scale"/>) and random aspect ratio (log-uniform in <see cref="Ratio"/>), resized to
/// <see cref="Size"/>×<see cref="Size"/> with Pillow's resampling. Ten tries, then timm's central fallback.
/// </summary>
/// <param name="Size">Side of the output.</param>
/// <param name="Scale">Range of the box's area as a fraction of the image's (timm: 0.08 to 1).</param>
/// <param name="Ratio">Range of the box's width / height (timm: 3/4 to 4/3).</param>
/// <param name="Interpolation">The resize filter; null picks bilinear or bicubic at random per image (timm's <c>random</c>, its training default).</param>
public sealed record RandomResizedCrop(int Size, (double Min, double Max) Scale, (double Min, double Max) Ratio, Interpolation? Interpolation = null)
{
    /// <summary>timm's defaults at <paramref name="size"/>: scale (0.08, 1), ratio (3/4, 4/3), random interpolation.</summary>
    public RandomResizedCrop(int size)
        : this(size, (0.08, 1.0), (3.0 / 4.0, 4.0 / 3.0))
    {
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that makes no sense.</summary>
    public void Validate()
    {
        if (Size < 1)
        {
            throw new ArgumentException($"RandomResizedCrop size must be at least 1, but it is {Size}.");
        }

        if (!(Scale.Min > 0 && Scale.Min <= Scale.Max && Scale.Max <= 1))
        {
            throw new ArgumentException($"RandomResizedCrop scale must satisfy 0 < min <= max <= 1, but it is ({Scale.Min}, {Scale.Max}).");
        }

        if (!(Ratio.Min > 0 && Ratio.Min <= Ratio.Max && double.IsFinite(Ratio.Max)))
        {
            throw new ArgumentException($"RandomResizedCrop ratio must satisfy 0 < min <= max, but it is ({Ratio.Min}, {Ratio.Max}).");
        }
    }

    /// <summary>timm's <c>get_params</c>: the box (top, left, height, width) for an image of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public (int Top, int Left, int Height, int Width) SampleBox(int width, int height, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var area = (double)width * height;
        var (logMin, logMax) = (Math.Log(Ratio.Min), Math.Log(Ratio.Max));
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var targetArea = Uniform(random, Scale.Min, Scale.Max) * area;
            var aspect = Math.Exp(Uniform(random, logMin, logMax));
            var w = (int)Math.Round(Math.Sqrt(targetArea * aspect), MidpointRounding.ToEven);
            var h = (int)Math.Round(Math.Sqrt(targetArea / aspect), MidpointRounding.ToEven);
            if (w <= width && h <= height)
            {
                // Python's randint is inclusive at both ends.
                return (random.Next(height - h + 1), random.Next(width - w + 1), h, w);
            }
        }

        var inRatio = (double)width / height;
        var (fw, fh) = inRatio < Ratio.Min
            ? (width, (int)Math.Round(width / Ratio.Min, MidpointRounding.ToEven))
            : inRatio > Ratio.Max
                ? ((int)Math.Round(height * Ratio.Max, MidpointRounding.ToEven), height)
                : (width, height);
        return ((height - fh) / 2, (width - fw) / 2, fh, fw);
    }

    /// <summary>Crops a random box of <paramref name="image"/> and resizes it, drawing every choice from <paramref name="random"/>.</summary>
    public RgbImage Apply(RgbImage image, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (top, left, h, w) = SampleBox(image.Width, image.Height, random);
        var interpolation = Interpolation ?? (random.Next(2) == 0 ? ConvMixerNet.Core.Interpolation.Bilinear : ConvMixerNet.Core.Interpolation.Bicubic);
        return ImageOps.ResizedCrop(image, top, left, Math.Max(1, h), Math.Max(1, w), Size, interpolation);
    }

    private static double Uniform(Random random, double a, double b) => a + ((b - a) * random.NextDouble());
}
