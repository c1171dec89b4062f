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
        // Earlier versions' shapes are the tensors'; only what shapes cannot show is read from their keys.
        var json = metadata.TryGetValue(ModelConfig.MetadataKey, out var document) ? document : ModelConfigJson.LegacyDocument(metadata, ["activation", "residual_placement"]);
        return json is null ? null : ModelConfig.ParseStored(json, path);
    }
}
