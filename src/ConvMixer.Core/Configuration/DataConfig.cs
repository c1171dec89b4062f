using System.Globalization;

namespace ConvMixerNet.Core;

/// <summary>
/// How images become model input, as timm's data config describes it (<c>input_size</c>, <c>interpolation</c>,
/// <c>crop_pct</c>, <c>crop_mode</c>, <c>mean</c>, <c>std</c>): resize to <see cref="ResizeSize"/> =
/// floor(<see cref="InputSize"/> / <see cref="CropFraction"/>), cut out the centre <see cref="InputSize"/>² square,
/// scale to [0, 1] and normalise each channel with <see cref="Mean"/> and <see cref="Std"/>. Training normalises with
/// the same numbers. The defaults are the published ConvMixer models' (3×224², bicubic, 0.96, ImageNet statistics).
/// </summary>
public sealed record DataConfig
{
    /// <summary>ImageNet's per-channel mean (RGB), used by the published models.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];

    /// <summary>ImageNet's per-channel standard deviation (RGB), used by the published models.</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>The evaluation settings of timm's <c>convmixer_*.in1k</c> models.</summary>
    public static DataConfig ImageNet { get; } = new();

    /// <summary>Channels of the model input: 3 (RGB) or 1 (grey, converted as PIL's <c>convert('L')</c>).</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Side of the square model input, in pixels.</summary>
    public int InputSize { get; init; } = 224;

    /// <summary>Fraction of the resized image kept by the centre crop, in (0, 1] (timm's <c>crop_pct</c>).</summary>
    public double CropFraction { get; init; } = 0.96;

    /// <summary>Whether the resize keeps the aspect ratio.</summary>
    public CropMode CropMode { get; init; } = CropMode.Center;

    /// <summary>The resampling filter of the resize.</summary>
    public Interpolation Interpolation { get; init; } = Interpolation.Bicubic;

    /// <summary>Subtracted from each channel after scaling to [0, 1]; one value per channel.</summary>
    public IReadOnlyList<float> Mean { get; init; } = ImageNetMean;

    /// <summary>Each channel is divided by this after subtracting the mean; one positive value per channel.</summary>
    public IReadOnlyList<float> Std { get; init; } = ImageNetStd;

    /// <summary>Length the image is resized to before cropping: floor(InputSize / CropFraction).</summary>
    public int ResizeSize => (int)Math.Floor(InputSize / CropFraction);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first setting that makes no sense.</summary>
    public void Validate()
    {
        if (Problems() is [var first, ..])
        {
            throw new ArgumentOutOfRangeException(first.Field, first.Message);
        }
    }

    /// <summary>What makes no sense in this configuration (empty when nothing), in the order <see cref="Validate"/> checks it.</summary>
    public IReadOnlyList<ConfigurationProblem> Problems()
    {
        var problems = new List<ConfigurationProblem>();
        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                problems.Add(new ConfigurationProblem(field, message));
            }
        }

        Check(InChannels is 1 or 3, nameof(InChannels), "InChannels must be 1 (grey) or 3 (RGB).");
        Check(InputSize is > 0 and <= 8192, nameof(InputSize), "InputSize must be between 1 and 8192 pixels.");
        Check(CropFraction > 0.0 && CropFraction <= 1.0, nameof(CropFraction), "CropFraction must be in (0, 1].");
        Check(problems.Count > 0 || ResizeSize <= 65536, nameof(CropFraction), $"InputSize / CropFraction = {ResizeSize} is too large.");
        Check(Enum.IsDefined(Interpolation), nameof(Interpolation), "Unknown interpolation.");
        Check(Enum.IsDefined(CropMode), nameof(CropMode), "Unknown crop mode.");
        PerChannel(problems, Mean, nameof(Mean), v => float.IsFinite(v), "a finite number");
        PerChannel(problems, Std, nameof(Std), v => float.IsFinite(v) && v > 0f, "a positive number");
        return problems;
    }

    /// <inheritdoc />
    public bool Equals(DataConfig? other) =>
        other is not null && InChannels == other.InChannels && InputSize == other.InputSize && CropFraction.Equals(other.CropFraction)
        && CropMode == other.CropMode && Interpolation == other.Interpolation && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(InChannels, InputSize, CropFraction, CropMode, Interpolation, Mean.Count > 0 ? Mean[0] : 0f);

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{InChannels}x{InputSize}x{InputSize}, resize to {ResizeSize} ({Interpolation}{(CropMode == CropMode.Squash ? ", squash" : string.Empty)}), centre crop {InputSize}, mean ({Join(Mean)}), std ({Join(Std)})");

    private static string Join(IReadOnlyList<float> values) => string.Join(", ", values.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)));

    private void PerChannel(List<ConfigurationProblem> problems, IReadOnlyList<float>? values, string name, Func<float, bool> valid, string what)
    {
        if (values is null || values.Count != InChannels)
        {
            problems.Add(new ConfigurationProblem(name, $"{name} needs {InChannels} value(s), one per input channel, but has {values?.Count ?? 0}."));
            return;
        }

        var bad = Enumerable.Range(0, values.Count).FirstOrDefault(c => !valid(values[c]), -1);
        if (bad >= 0)
        {
            problems.Add(new ConfigurationProblem(name, $"{name}[{bad}] must be {what}."));
        }
    }
}
