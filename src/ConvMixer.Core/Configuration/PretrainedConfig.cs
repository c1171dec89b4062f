namespace ConvMixerNet.Core;

/// <summary>
/// What a set of weights needs besides its architecture to give right answers — its preprocessing and class names —
/// plus where it comes from; timm's <c>pretrained_cfg</c>, torchvision's <c>Weights</c>. Saved with the weights
/// (<c>.safetensors</c> metadata, a model folder's <c>config.json</c>, training checkpoints, ONNX metadata) and read
/// back by <see cref="ConvMixer.FromCheckpoint"/> into <see cref="ConvMixer.Pretrained"/>.
/// </summary>
public sealed record PretrainedConfig
{
    /// <summary>The published models' configuration: ImageNet-1k preprocessing and labels, MIT licence (timm's <c>convmixer_*.in1k</c>).</summary>
    public static PretrainedConfig ImageNet1k { get; } = new()
    {
        Data = DataConfig.ImageNet,
        LabelNames = ClassLabels.ImageNet1k,
        License = "mit",
        Description = "ImageNet-1k weights of the ConvMixer paper (Trockman and Kolter, 2022), as published by timm.",
        OriginUrl = "https://github.com/locuslab/convmixer",
    };

    /// <summary>How images are preprocessed (and training images were normalised).</summary>
    public DataConfig Data { get; init; } = DataConfig.ImageNet;

    /// <summary>Class names by class index; null when the weights came without them.</summary>
    public ClassLabels? LabelNames { get; init; }

    /// <summary>timm's model name when the architecture is a published one (for example <c>convmixer_768_32</c>).</summary>
    public string? Architecture { get; init; }

    /// <summary>Where the weights come from (for example <c>timm/convmixer_768_32.in1k</c>, or a training run).</summary>
    public string? Source { get; init; }

    /// <summary>The weights' licence (timm's <c>license</c>).</summary>
    public string? License { get; init; }

    /// <summary>A sentence about the weights.</summary>
    public string? Description { get; init; }

    /// <summary>Where to read more (timm's <c>origin_url</c>).</summary>
    public string? OriginUrl { get; init; }

    /// <summary>Measured results, for example <c>top1</c> = 80.2 or <c>val_accuracy</c> = 0.931.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>
    /// The hyperparameters the weights were trained with, by name (for example <c>recipe</c> = <c>fashion-mnist</c>,
    /// <c>epochs</c> = <c>9</c>), as a training run records them: the counterpart of timm's <c>args.yaml</c>, kept in
    /// <c>config.json</c> under <c>training</c>. Null for weights that do not say.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Training { get; init; }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the field when this configuration cannot belong to
    /// <paramref name="architecture"/>: a data config that makes no sense or has another channel count, or a number of
    /// class names other than the number of classes.
    /// </summary>
    public void ValidateFor(ConvMixerConfig architecture)
    {
        if (ProblemsFor(architecture) is [var first, ..])
        {
            throw new ArgumentException(first.Message, first.Field.StartsWith(nameof(Data), StringComparison.Ordinal) ? nameof(Data) : first.Field);
        }
    }

    /// <summary>Why this configuration cannot belong to <paramref name="architecture"/> (empty when it can), as <see cref="ValidateFor"/> checks it.</summary>
    public IReadOnlyList<ConfigurationProblem> ProblemsFor(ConvMixerConfig architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(Data, nameof(Data));
        var problems = Data.Problems().Select(p => new ConfigurationProblem($"{nameof(Data)}.{p.Field}", $"{nameof(Data)}.{p.Field}: {p.Message}")).ToList();
        if (problems.Count == 0 && Data.InChannels != architecture.InChannels)
        {
            problems.Add(new ConfigurationProblem($"{nameof(Data)}.{nameof(DataConfig.InChannels)}", $"Data.InChannels is {Data.InChannels}, but the model takes {architecture.InChannels}-channel images."));
        }

        if (LabelNames is not null && LabelNames.Count != architecture.NumClasses)
        {
            problems.Add(new ConfigurationProblem(nameof(LabelNames), $"LabelNames has {LabelNames.Count} names, but the model has {architecture.NumClasses} classes."));
        }

        return problems;
    }

    /// <inheritdoc />
    public bool Equals(PretrainedConfig? other) =>
        other is not null && Data.Equals(other.Data) && Architecture == other.Architecture && Source == other.Source
        && License == other.License && Description == other.Description && OriginUrl == other.OriginUrl
        && (LabelNames is null ? other.LabelNames is null : other.LabelNames is not null && LabelNames.SequenceEqual(other.LabelNames))
        && (Metrics is null ? other.Metrics is null : other.Metrics is not null && Metrics.Count == other.Metrics.Count
            && Metrics.All(m => other.Metrics.TryGetValue(m.Key, out var v) && v.Equals(m.Value)))
        && (Training is null ? other.Training is null : other.Training is not null && Training.Count == other.Training.Count
            && Training.All(t => other.Training.TryGetValue(t.Key, out var v) && v == t.Value));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Data, Architecture, Source, LabelNames?.Count);
}
