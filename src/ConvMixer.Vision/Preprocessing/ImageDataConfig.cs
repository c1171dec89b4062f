using System.Globalization;

namespace ConvMixerNet.Vision;

/// <summary>
/// How images are turned into model input, as timm's data config describes it: resize the shorter side to
/// <see cref="ResizeSize"/> = floor(<see cref="InputSize"/> / <see cref="CropFraction"/>), cut the centre
/// <see cref="InputSize"/>×<see cref="InputSize"/> square, scale to [0, 1] and normalise with
/// <see cref="Mean"/> and <see cref="Std"/>. The defaults are those of the published ConvMixer models
/// (224, 0.96, bicubic, ImageNet statistics).
/// </summary>
public sealed record ImageDataConfig
{
    /// <summary>ImageNet's per-channel mean, used by the published models.</summary>
    public static readonly RgbValues ImageNetMean = new(0.485f, 0.456f, 0.406f);

    /// <summary>ImageNet's per-channel standard deviation, used by the published models.</summary>
    public static readonly RgbValues ImageNetStd = new(0.229f, 0.224f, 0.225f);

    /// <summary>The evaluation settings of timm's <c>convmixer_*.in1k</c> models.</summary>
    public static ImageDataConfig Default { get; } = new();

    /// <summary>Side of the square model input, in pixels.</summary>
    public int InputSize { get; init; } = 224;

    /// <summary>Fraction of the resized shorter side kept by the centre crop, in (0, 1].</summary>
    public double CropFraction { get; init; } = 0.96;

    /// <summary>The resampling filter of the resize.</summary>
    public Interpolation Interpolation { get; init; } = Interpolation.Bicubic;

    /// <summary>Subtracted from each channel after scaling to [0, 1].</summary>
    public RgbValues Mean { get; init; } = ImageNetMean;

    /// <summary>Each channel is divided by this after subtracting the mean.</summary>
    public RgbValues Std { get; init; } = ImageNetStd;

    /// <summary>Length the shorter side is resized to before cropping: floor(InputSize / CropFraction).</summary>
    public int ResizeSize => (int)Math.Floor(InputSize / CropFraction);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first setting that makes no sense.</summary>
    public void Validate()
    {
        if (InputSize is <= 0 or > 8192)
        {
            throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, "InputSize must be between 1 and 8192 pixels.");
        }

        if (!(CropFraction > 0.0 && CropFraction <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(CropFraction), CropFraction, "CropFraction must be in (0, 1].");
        }

        if (ResizeSize > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(CropFraction), CropFraction, $"InputSize / CropFraction = {ResizeSize} is too large.");
        }

        if (!Enum.IsDefined(Interpolation))
        {
            throw new ArgumentOutOfRangeException(nameof(Interpolation), Interpolation, "Unknown interpolation.");
        }

        foreach (var (value, name) in new[] { (Mean.Red, "Mean.Red"), (Mean.Green, "Mean.Green"), (Mean.Blue, "Mean.Blue") })
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number.");
            }
        }

        foreach (var (value, name) in new[] { (Std.Red, "Std.Red"), (Std.Green, "Std.Green"), (Std.Blue, "Std.Blue") })
        {
            if (!(float.IsFinite(value) && value > 0f))
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive number.");
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"resize shorter side to {ResizeSize} ({Interpolation}), centre crop {InputSize}x{InputSize}, mean ({Mean.Red}, {Mean.Green}, {Mean.Blue}), std ({Std.Red}, {Std.Green}, {Std.Blue})");
}
