using System.Globalization;
using System.Text.RegularExpressions;

namespace ConvMixerNet.Vision;

/// <summary>
/// timm's RandAugment (<c>rand_augment_transform</c>): per image, <see cref="NumLayers"/> operations drawn with
/// replacement, each applied with probability <see cref="Probability"/> at a magnitude drawn around
/// <see cref="Magnitude"/> (Gaussian with <see cref="MagnitudeStd"/>, or uniform in [0, M] when it is infinite),
/// clipped to [0, <see cref="MagnitudeMax"/>]. Geometric operations fill with the dataset mean and pick bilinear or
/// bicubic at random, as timm's training transform does unless an interpolation is set.
/// </summary>
public sealed partial record RandAugment
{
    /// <summary>The configuration string it was parsed from (for example <c>rand-m9-mstd0.5-inc1</c>).</summary>
    public required string Config { get; init; }

    /// <summary>Operation names (<see cref="RandAugmentOp"/>).</summary>
    public required IReadOnlyList<string> Operations { get; init; }

    /// <summary>Operations per image (<c>n</c>, default 2).</summary>
    public int NumLayers { get; init; } = 2;

    /// <summary>Probability of applying each drawn operation (<c>p</c>, default 0.5).</summary>
    public double Probability { get; init; } = 0.5;

    /// <summary>Magnitude (<c>m</c>, default 10).</summary>
    public double Magnitude { get; init; } = 10;

    /// <summary>Standard deviation of the magnitude noise (<c>mstd</c>; infinity: uniform in [0, M]).</summary>
    public double MagnitudeStd { get; init; }

    /// <summary>Upper bound of the magnitude (<c>mmax</c>, default 10).</summary>
    public double MagnitudeMax { get; init; } = 10;

    /// <summary>Fill colour of the geometric operations (timm: the mean, <c>round(255·mean)</c>).</summary>
    public (byte R, byte G, byte B) Fill { get; init; } = (128, 128, 128);

    /// <summary>Interpolation of the geometric operations; null picks bilinear or bicubic at random (timm's <c>random</c>).</summary>
    public Interpolation? Interpolation { get; init; }

    /// <summary>
    /// Parses timm's RandAugment string: <c>rand</c> followed by dash-separated <c>m</c> (magnitude), <c>n</c> (layers),
    /// <c>p</c> (probability), <c>mstd</c> (magnitude noise; over 100 means uniform), <c>mmax</c> and <c>inc</c>
    /// (1: the increasing operation set).
    /// </summary>
    /// <exception cref="FormatException">The string is not a RandAugment configuration; the message names the bad part.</exception>
    public static RandAugment Parse(string config, (byte R, byte G, byte B)? fill = null, Interpolation? interpolation = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var sections = config.Split('-');
        if (sections[0] != "rand")
        {
            throw new FormatException($"RandAugment configuration '{config}' must start with 'rand' (for example rand-m9-mstd0.5-inc1).");
        }

        var result = new RandAugment { Config = config, Operations = RandAugmentOp.Standard, Fill = fill ?? (128, 128, 128), Interpolation = interpolation };
        var increasing = false;
        foreach (var section in sections.Skip(1))
        {
            if (section.StartsWith('t'))
            {
                throw new FormatException($"RandAugment configuration '{config}': operation sets ('{section}') are not supported; use the default or inc1.");
            }

            var match = KeyValue().Match(section);
            if (!match.Success)
            {
                continue; // timm ignores sections without a number
            }

            var (key, text) = (match.Groups[1].Value, match.Groups[2].Value);
            double Number() => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? v
                : throw new FormatException($"RandAugment configuration '{config}': '{section}' needs a number after '{key}'.");
            int Integer() => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new FormatException($"RandAugment configuration '{config}': '{section}' needs a whole number after '{key}'.");
            result = key switch
            {
                "mstd" => result with { MagnitudeStd = Number() > 100 ? double.PositiveInfinity : Number() },
                "mmax" => result with { MagnitudeMax = Integer() },
                "m" => result with { Magnitude = Integer() },
                "n" => result with { NumLayers = Integer() },
                "p" => result with { Probability = Number() },
                "inc" => result,
                _ => throw new FormatException($"RandAugment configuration '{config}': unknown section '{section}' (known: m, n, p, mstd, mmax, inc)."),
            };
            // timm: bool(val) of the text, so any digits (even "inc0") turn it on.
            increasing |= key == "inc" && text.Length > 0;
        }

        return result with { Operations = increasing ? RandAugmentOp.Increasing : RandAugmentOp.Standard };
    }

    /// <summary>Applies the augmentation to one image, drawing every random choice from <paramref name="random"/>.</summary>
    public RgbImage Apply(RgbImage image, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        for (var layer = 0; layer < NumLayers; layer++)
        {
            var name = Operations[random.Next(Operations.Count)];
            if (Probability < 1.0 && random.NextDouble() > Probability)
            {
                continue;
            }

            var magnitude = Magnitude;
            if (double.IsPositiveInfinity(MagnitudeStd))
            {
                magnitude = random.NextDouble() * Magnitude;
            }
            else if (MagnitudeStd > 0)
            {
                magnitude = Gaussian(random, Magnitude, MagnitudeStd);
            }

            magnitude = Math.Max(0.0, Math.Min(magnitude, MagnitudeMax));
            var negate = RandAugmentOp.HasRandomSign(name) && random.NextDouble() > 0.5;
            var interpolation = Interpolation ?? (random.Next(2) == 0 ? ConvMixerNet.Core.Interpolation.Bilinear : ConvMixerNet.Core.Interpolation.Bicubic);
            image = RandAugmentOp.Apply(image, name, RandAugmentOp.Argument(name, magnitude, negate), interpolation, Fill);
        }

        return image;
    }

    /// <summary>The parameters by timm's names, as a run's configuration records them.</summary>
    public override string ToString() => Config;

    internal static double Gaussian(Random random, double mean, double std)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1], so the logarithm is finite.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + (std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    [GeneratedRegex(@"^(\D*)(\d.*)$")]
    private static partial Regex KeyValue();
}
