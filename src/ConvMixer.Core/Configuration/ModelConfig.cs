namespace ConvMixerNet.Core;

/// <summary>
/// The one description of a saved model: timm's <c>config.json</c> document (<c>architecture</c>, <c>num_classes</c>,
/// <c>label_names</c>, <c>pretrained_cfg</c>, our <c>model_args</c> and the <c>training</c> record). Every container
/// stores this same document verbatim under one key: <c>config.json</c> in a model folder, the <c>config</c> entry
/// (<see cref="MetadataKey"/>) of <c>.safetensors</c> <c>__metadata__</c> and of ONNX <c>metadata_props</c>, and the
/// header of a training checkpoint.
/// </summary>
/// <param name="Architecture">The hyperparameters.</param>
/// <param name="Pretrained">Preprocessing, class names and provenance; null when nothing is known (the document then has no <c>pretrained_cfg</c>).</param>
public sealed record ModelConfig(ConvMixerConfig Architecture, PretrainedConfig? Pretrained)
{
    /// <summary>The key of the document in <c>.safetensors</c> and ONNX string metadata.</summary>
    public const string MetadataKey = "config";

    /// <summary>The separate keys in which files of earlier versions stored the architecture instead of the document, read by <see cref="FromMetadata"/>.</summary>
    public static IReadOnlyList<string> LegacyMetadataKeys => ModelConfigJson.LegacyKeys;

    /// <summary>The description of <paramref name="model"/>: its architecture and <see cref="ConvMixer.Pretrained"/>.</summary>
    public static ModelConfig Of(ConvMixer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ModelConfig(model.Config, model.Pretrained);
    }

    /// <summary>The document as JSON (what every container stores).</summary>
    public string ToJson(bool indented = false) => ModelConfigJson.Serialize(Architecture, Pretrained, indented);

    /// <summary>Parses a document that determines the whole architecture (as every document this library writes does).</summary>
    /// <param name="json">The document.</param>
    /// <param name="source">The file it came from, for messages.</param>
    /// <exception cref="InvalidCheckpointException">The JSON is malformed, a field is invalid (the message names file and field), or it does not determine the architecture.</exception>
    public static ModelConfig Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var stored = ParseStored(json, source);
        var architecture = stored.Architecture
            ?? throw new InvalidCheckpointException(source, "its configuration does not determine the architecture (neither a timm architecture name nor model_args with dim, depth, kernel_size and patch_size, and num_classes).");
        return new ModelConfig(architecture, Checked(stored.Pretrained, architecture, source));
    }

    /// <summary>
    /// The document stored under <see cref="MetadataKey"/> in string metadata, else the one that the separate keys of files
    /// of earlier versions amount to (<c>dim</c>, <c>depth</c>, <c>kernel_size</c>, <c>patch_size</c>, <c>in_chans</c>,
    /// <c>num_classes</c>, <c>activation</c>, <c>residual_placement</c>); null when there is neither.
    /// </summary>
    /// <exception cref="InvalidCheckpointException">The stored document or keys are invalid, or do not determine the architecture.</exception>
    public static ModelConfig? FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var json = metadata.TryGetValue(MetadataKey, out var document) ? document : ModelConfigJson.LegacyDocument(metadata, ModelConfigJson.LegacyKeys);
        return json is null ? null : Parse(json, source);
    }

    /// <summary>Parses a document that may leave the shapes to the weights (timm's hub folders, older files).</summary>
    internal static StoredModelConfig ParseStored(string json, string source)
    {
        try
        {
            return ModelConfigJson.Parse(json);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidCheckpointException(source, $"its configuration is invalid: {e.Message}.");
        }
    }

    /// <summary><paramref name="pretrained"/>, after checking it fits <paramref name="architecture"/>.</summary>
    internal static PretrainedConfig? Checked(PretrainedConfig? pretrained, ConvMixerConfig architecture, string source)
    {
        if (pretrained?.ProblemsFor(architecture) is [var first, ..])
        {
            throw new InvalidCheckpointException(source, $"its stored configuration does not fit the model: {first.Message}");
        }

        return pretrained;
    }
}
