using System.CommandLine;
using System.Globalization;

namespace ConvMixerNet.Cli;

/// <summary>
/// The flags that override a model's stored preprocessing and class names (<c>--input-size</c>, <c>--crop-fraction</c>,
/// <c>--interpolation</c>, <c>--mean</c>, <c>--std</c>, <c>--labels</c>), shared by predict, eval, info and convert.
/// </summary>
internal sealed class PreprocessingOptions
{
    public Option<int?> InputSize { get; } = new("--input-size") { Description = "Model input side (default: the model's stored configuration, else 224)." };

    public Option<double?> CropFraction { get; } = new("--crop-fraction") { Description = "Centre-crop fraction in (0, 1]: the image is resized to input size / fraction (default: stored, else 0.96)." };

    public Option<Interpolation?> Interpolation { get; } = new("--interpolation") { Description = "Resize filter: nearest, box, bilinear, hamming, bicubic, lanczos (default: stored, else bicubic)." };

    // One comma-separated token: space-separated values would swallow the image arguments that follow.
    public Option<string?> Mean { get; } = new("--mean") { Description = "Per-channel mean, comma-separated, e.g. --mean 0.485,0.456,0.406 (default: stored, else ImageNet's)." };

    public Option<string?> Std { get; } = new("--std") { Description = "Per-channel standard deviation, comma-separated (default: stored, else ImageNet's)." };

    public Option<string?> Labels { get; } = new("--labels") { Description = "A text file with one class name per line (default: stored, else ImageNet-1k for 1000 classes)." };

    public IEnumerable<Option> All => [InputSize, CropFraction, Interpolation, Mean, Std, Labels];

    public DataConfigOverrides Overrides(ParseResult parse)
    {
        var inputSize = parse.GetValue(InputSize);
        if (inputSize is <= 0 or > 8192)
        {
            throw new UsageException($"--input-size must be between 1 and 8192, not {inputSize}.");
        }

        var crop = parse.GetValue(CropFraction);
        if (crop is { } c && !(c > 0 && c <= 1))
        {
            throw new UsageException($"--crop-fraction must be in (0, 1], not {c.ToString(CultureInfo.InvariantCulture)}.");
        }

        return new DataConfigOverrides
        {
            InputSize = inputSize,
            CropFraction = crop,
            Interpolation = parse.GetValue(Interpolation),
            Mean = Floats(parse.GetValue(Mean), "--mean", positive: false),
            Std = Floats(parse.GetValue(Std), "--std", positive: true),
        };
    }

    public ClassLabels? ReadLabels(ParseResult parse) => parse.GetValue(Labels) is { } file ? ClassLabels.FromFile(file) : null;

    /// <summary><paramref name="data"/> with the overrides applied; a value that does not fit (a mean per channel of another count) is a usage error.</summary>
    public static DataConfig Apply(DataConfigOverrides overrides, DataConfig data)
    {
        if (overrides.ProblemsWith(data) is [var first, ..])
        {
            throw new UsageException($"the preprocessing does not fit the model: {first.Message}");
        }

        return overrides.ApplyTo(data);
    }

    private static float[]? Floats(string? text, string option, bool positive)
    {
        if (text is null)
        {
            return null;
        }

        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (values.Length == 0)
        {
            throw new UsageException($"{option} needs one number per channel, comma-separated.");
        }

        return values.Select(value =>
            float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) && (!positive || v > 0)
                ? v
                : throw new UsageException($"{option} takes {(positive ? "positive" : "finite")} numbers, not '{value}'.")).ToArray();
    }
}
