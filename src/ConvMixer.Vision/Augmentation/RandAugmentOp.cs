namespace ConvMixerNet.Vision;

/// <summary>
/// One of timm's RandAugment operations (its <c>_RAND_TRANSFORMS</c> and <c>_RAND_INCREASING_TRANSFORMS</c>), by timm's
/// name, with timm's mapping from a magnitude (0..10) to the operation's argument.
/// </summary>
public static class RandAugmentOp
{
    /// <summary>timm's <c>_RAND_TRANSFORMS</c>.</summary>
    public static IReadOnlyList<string> Standard { get; } =
    [
        "AutoContrast", "Equalize", "Invert", "Rotate", "Posterize", "Solarize", "SolarizeAdd", "Color", "Contrast",
        "Brightness", "Sharpness", "ShearX", "ShearY", "TranslateXRel", "TranslateYRel",
    ];

    /// <summary>timm's <c>_RAND_INCREASING_TRANSFORMS</c> (the <c>inc1</c> set: stronger with a higher magnitude).</summary>
    public static IReadOnlyList<string> Increasing { get; } =
    [
        "AutoContrast", "Equalize", "Invert", "Rotate", "PosterizeIncreasing", "SolarizeIncreasing", "SolarizeAdd",
        "ColorIncreasing", "ContrastIncreasing", "BrightnessIncreasing", "SharpnessIncreasing", "ShearX", "ShearY",
        "TranslateXRel", "TranslateYRel",
    ];

    /// <summary>True for the operations whose argument timm negates with probability 1/2.</summary>
    public static bool HasRandomSign(string name) =>
        name is "Rotate" or "ShearX" or "ShearY" or "TranslateXRel" or "TranslateYRel"
            or "ColorIncreasing" or "ContrastIncreasing" or "BrightnessIncreasing" or "SharpnessIncreasing";

    /// <summary>
    /// timm's <c>LEVEL_TO_ARG[name](magnitude)</c> with its random sign given as <paramref name="negate"/>; null for the
    /// operations without an argument. <paramref name="translateFraction"/> is timm's <c>translate_pct</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Not a RandAugment operation of timm.</exception>
    public static double? Argument(string name, double magnitude, bool negate, double translateFraction = 0.45)
    {
        ArgumentNullException.ThrowIfNull(name);
        const double denominator = 10.0; // timm's _LEVEL_DENOM
        var level = magnitude / denominator;
        double Signed(double v) => negate ? -v : v;
        return name switch
        {
            "AutoContrast" or "Equalize" or "Invert" => null,
            "Rotate" => Signed(level * 30.0),
            "Posterize" => (int)(level * 4),
            "PosterizeIncreasing" => 4 - (int)(level * 4),
            "Solarize" => Math.Min(256, (int)(level * 256)),
            "SolarizeIncreasing" => 256 - Math.Min(256, (int)(level * 256)),
            "SolarizeAdd" => Math.Min(128, (int)(level * 110)),
            "Color" or "Contrast" or "Brightness" or "Sharpness" => (level * 1.8) + 0.1,
            "ColorIncreasing" or "ContrastIncreasing" or "BrightnessIncreasing" or "SharpnessIncreasing" => Math.Max(0.1, 1.0 + Signed(level * 0.9)),
            "ShearX" or "ShearY" => Signed(level * 0.3),
            "TranslateXRel" or "TranslateYRel" => Signed(level * translateFraction),
            _ => throw new ArgumentException($"'{name}' is not a RandAugment operation. Known: {string.Join(", ", Standard.Union(Increasing))}.", nameof(name)),
        };
    }

    /// <summary>Applies operation <paramref name="name"/> with its argument (from <see cref="Argument"/>).</summary>
    public static RgbImage Apply(RgbImage image, string name, double? argument, Interpolation interpolation, (byte R, byte G, byte B) fill)
    {
        ArgumentNullException.ThrowIfNull(image);
        double Value() => argument ?? throw new ArgumentException($"RandAugment operation {name} needs an argument.", nameof(argument));
        return name switch
        {
            "AutoContrast" => ImageOps.AutoContrast(image),
            "Equalize" => ImageOps.Equalize(image),
            "Invert" => ImageOps.Invert(image),
            "Rotate" => ImageOps.Rotate(image, Value(), interpolation, fill),
            "Posterize" or "PosterizeIncreasing" => ImageOps.Posterize(image, (int)Value()),
            "Solarize" or "SolarizeIncreasing" => ImageOps.Solarize(image, (int)Value()),
            "SolarizeAdd" => ImageOps.SolarizeAdd(image, (int)Value()),
            "Color" or "ColorIncreasing" => ImageOps.Color(image, Value()),
            "Contrast" or "ContrastIncreasing" => ImageOps.Contrast(image, Value()),
            "Brightness" or "BrightnessIncreasing" => ImageOps.Brightness(image, Value()),
            "Sharpness" or "SharpnessIncreasing" => ImageOps.Sharpness(image, Value()),
            "ShearX" => ImageOps.ShearX(image, Value(), interpolation, fill),
            "ShearY" => ImageOps.ShearY(image, Value(), interpolation, fill),
            "TranslateXRel" => ImageOps.TranslateXRel(image, Value(), interpolation, fill),
            "TranslateYRel" => ImageOps.TranslateYRel(image, Value(), interpolation, fill),
            _ => throw new ArgumentException($"'{name}' is not a RandAugment operation.", nameof(name)),
        };
    }
}
