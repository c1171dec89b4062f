namespace ConvMixerNet.Core;

/// <summary>
/// The <c>.safetensors</c> string metadata: <c>format</c> = <c>pt</c> as timm writes, and the <see cref="ModelConfig"/>
/// document under <c>config</c>. Files of earlier versions stored the hyperparameters as separate keys (<c>dim</c>, …,
/// <c>activation</c>, <c>residual_placement</c> as <c>AroundSpatialMixing</c>); they are still read when there is no document.
/// </summary>
internal static class CheckpointMetadata
{
    public static Dictionary<string, string> From(ModelConfig config) => new(StringComparer.Ordinal)
    {
        ["format"] = "pt",
        [ModelConfig.MetadataKey] = config.ToJson(),
    };

    /// <summary>What the metadata says about the model: the document, else the keys of earlier versions; null when neither.</summary>
    public static StoredModelConfig? Read(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue(ModelConfig.MetadataKey, out var json))
        {
            return ModelConfig.ParseStored(json, path);
        }

        var activation = Legacy(path, metadata, "activation", ModelConfigJson.ParseActivation);
        var placement = Legacy(path, metadata, "residual_placement", ModelConfigJson.ParsePlacement);
        return activation is null && placement is null ? null : new StoredModelConfig(null, null, activation, placement);
    }

    private static T? Legacy<T>(string path, IReadOnlyDictionary<string, string> metadata, string key, Func<string, string, T> parse)
        where T : struct
    {
        try
        {
            return metadata.TryGetValue(key, out var text) ? parse(text, key) : null;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidCheckpointException(path, $"its metadata {e.Message}.");
        }
    }
}
