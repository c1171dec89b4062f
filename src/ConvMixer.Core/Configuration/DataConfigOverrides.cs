namespace ConvMixerNet.Core;

/// <summary>
/// Single settings that replace those of a stored <see cref="DataConfig"/> (the tool's <c>--input-size</c>,
/// <c>--crop-fraction</c>, <c>--interpolation</c>, <c>--mean</c> and <c>--std</c>); unset ones keep the stored value.
/// </summary>
public sealed record DataConfigOverrides
{
    /// <summary>No override.</summary>
    public static DataConfigOverrides None { get; } = new();

    /// <summary>Replaces <see cref="DataConfig.InputSize"/>.</summary>
    public int? InputSize { get; init; }

    /// <summary>Replaces <see cref="DataConfig.CropFraction"/>.</summary>
    public double? CropFraction { get; init; }

    /// <summary>Replaces <see cref="DataConfig.Interpolation"/>.</summary>
    public Interpolation? Interpolation { get; init; }

    /// <summary>Replaces <see cref="DataConfig.Mean"/>.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Replaces <see cref="DataConfig.Std"/>.</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>True when nothing is overridden.</summary>
    public bool IsEmpty => InputSize is null && CropFraction is null && Interpolation is null && Mean is null && Std is null;

    /// <summary>True when both normalisation statistics are given (so nothing about them is assumed).</summary>
    public bool SetsNormalization => Mean is not null && Std is not null;

    /// <summary><paramref name="config"/> with the overridden settings replaced, validated.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The result makes no sense (for example a mean per channel of another count).</exception>
    public DataConfig ApplyTo(DataConfig config)
    {
        var result = Replace(config);
        result.Validate();
        return result;
    }

    /// <summary>What would make no sense in <paramref name="config"/> with these overrides (empty when nothing).</summary>
    public IReadOnlyList<ConfigurationProblem> ProblemsWith(DataConfig config) => Replace(config).Problems();

    private DataConfig Replace(DataConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config with
        {
            InputSize = InputSize ?? config.InputSize,
            CropFraction = CropFraction ?? config.CropFraction,
            Interpolation = Interpolation ?? config.Interpolation,
            Mean = Mean ?? config.Mean,
            Std = Std ?? config.Std,
        };
    }
}
