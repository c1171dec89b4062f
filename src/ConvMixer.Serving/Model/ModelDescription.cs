namespace ConvMixerNet.Serving;

/// <summary>GET /v1/model: what the service classifies with.</summary>
public sealed record ModelDescription(string Name, ArchitectureDescription Architecture, IReadOnlyList<string> Classes, PreprocessingDescription Preprocessing)
{
    /// <summary>How the service batches, and how much it has done (set per answer).</summary>
    public ServingDescription? Serving { get; init; }

    /// <summary>Which weights are served: their SHA-256 prefix and load time (set per answer).</summary>
    public WeightsVersion? Weights { get; init; }

    /// <summary>The description of a classifier's model.</summary>
    public static ModelDescription Of(string name, ImageClassifier classifier) => new(
        name,
        ArchitectureDescription.Of(classifier.ModelConfig),
        classifier.Labels.ToArray(),
        PreprocessingDescription.Of(classifier.Preprocessor));
}
