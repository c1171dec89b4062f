namespace ConvMixerNet.Vision;

/// <summary>
/// Torchvision's <c>ColorJitter</c> on PIL images: brightness, contrast and saturation factors drawn uniformly from
/// [max(0, 1 − v), 1 + v], hue from [−h, h], applied in a random order (as <c>ColorJitter.get_params</c>). timm's
/// training transform uses <c>ColorJitter(0.4, 0.4, 0.4)</c> when no RandAugment is set.
/// </summary>
public sealed record ColorJitter(double Brightness = 0.4, double Contrast = 0.4, double Saturation = 0.4, double Hue = 0)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that makes no sense.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { ("brightness", Brightness), ("contrast", Contrast), ("saturation", Saturation) })
        {
            if (!(value >= 0 && double.IsFinite(value)))
            {
                throw new ArgumentException($"Colour jitter {name} must be a non-negative number, but it is {value}.");
            }
        }

        if (!(Hue >= 0 && Hue <= 0.5))
        {
            throw new ArgumentException($"Colour jitter hue must be in [0, 0.5], but it is {Hue}.");
        }
    }

    /// <summary>Applies the jitter to one image, drawing every choice from <paramref name="random"/>.</summary>
    public RgbImage Apply(RgbImage image, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        int[] order = [0, 1, 2, 3];
        random.Shuffle(order);
        double Factor(double v) => Math.Max(0, 1 - v) + ((1 + v - Math.Max(0, 1 - v)) * random.NextDouble());
        var (b, c, s) = (Factor(Brightness), Factor(Contrast), Factor(Saturation));
        var h = -Hue + (2 * Hue * random.NextDouble());
        foreach (var step in order)
        {
            image = step switch
            {
                0 when Brightness > 0 => ImageOps.Brightness(image, b),
                1 when Contrast > 0 => ImageOps.Contrast(image, c),
                2 when Saturation > 0 => ImageOps.Color(image, s),
                3 when Hue > 0 => ImageOps.AdjustHue(image, h),
                _ => image,
            };
        }

        return image;
    }
}
