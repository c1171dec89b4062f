namespace ConvMixerNet.Vision;

/// <summary>
/// The preprocessing and class names to use with a model: the options', else the model's stored configuration, else
/// defaults — and, when defaults were guessed for a model that does not look like the published ImageNet ones, a
/// sentence saying so (<see cref="Assumption"/>). What <see cref="ImageClassifier"/> uses, and evaluation too.
/// </summary>
/// <param name="Data">The preprocessing.</param>
/// <param name="Labels">The class names.</param>
/// <param name="Assumption">What was guessed and how to set it, or null when nothing was.</param>
public sealed record ResolvedPreprocessing(DataConfig Data, ClassLabels Labels, string? Assumption)
{
    /// <summary>Resolves the preprocessing of <paramref name="architecture"/> with stored configuration <paramref name="stored"/> under <paramref name="options"/>.</summary>
    public static ResolvedPreprocessing For(ConvMixerConfig architecture, PretrainedConfig? stored, ImageClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(options);
        var imageNetShaped = architecture.NumClasses == 1000 && architecture.InChannels == 3;
        ArgumentNullException.ThrowIfNull(options.Overrides);
        var data = options.Overrides.ApplyTo(options.DataConfig ?? stored?.Data ?? DefaultData(architecture.InChannels));
        var labels = options.Labels ?? stored?.LabelNames
            ?? (architecture.NumClasses == 1000 ? ClassLabels.ImageNet1k : ClassLabels.Numbered(architecture.NumClasses));

        var assumed = new List<string>();
        if (!imageNetShaped && options.DataConfig is null && stored is null && !options.Overrides.SetsNormalization)
        {
            assumed.Add($"preprocessing {data}");
        }

        if (!imageNetShaped && options.Labels is null && stored?.LabelNames is null)
        {
            assumed.Add(architecture.NumClasses == 1000 ? "ImageNet-1k class names" : $"class names \"class 0\" … \"class {architecture.NumClasses - 1}\"");
        }

        var assumption = assumed.Count == 0
            ? null
            : $"the model stores no configuration and is not an ImageNet model ({architecture.NumClasses} classes, {architecture.InChannels} channel(s)); "
              + $"assumed {string.Join(" and ", assumed)}. Set them (--input-size, --crop-fraction, --interpolation, --mean, --std, --labels), "
              + "or save the model with its configuration (a model folder, or convert with those flags).";
        return new ResolvedPreprocessing(data, labels, assumption);
    }

    // ImageNet's statistics; for grey models their channel average, the nearest thing to a convention.
    private static DataConfig DefaultData(int channels) => channels == 3
        ? DataConfig.ImageNet
        : DataConfig.ImageNet with
        {
            InChannels = channels,
            Mean = Enumerable.Repeat(DataConfig.ImageNetMean.Average(), channels).ToArray(),
            Std = Enumerable.Repeat(DataConfig.ImageNetStd.Average(), channels).ToArray(),
        };
}
