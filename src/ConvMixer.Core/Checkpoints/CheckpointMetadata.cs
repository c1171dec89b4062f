using System.Globalization;

namespace ConvMixerNet.Core;

/// <summary>
/// The hyperparameters stored as <c>.safetensors</c> string metadata, under the names timm's constructor uses
/// (<c>dim</c>, <c>depth</c>, <c>kernel_size</c>, <c>patch_size</c>, <c>num_classes</c>, <c>in_chans</c>) plus
/// <c>activation</c> (<c>gelu</c> or <c>relu</c>) and <c>residual_placement</c>; <c>format</c> is <c>pt</c> as timm writes.
/// </summary>
internal static class CheckpointMetadata
{
    public const string ArchitectureKey = "architecture";
    public const string ArchitectureValue = "convmixer";

    /// <summary>The key under which the whole model configuration (a model folder's <c>config.json</c>) is stored.</summary>
    public const string ConfigKey = "config";

    public static Dictionary<string, string> From(ConvMixerConfig config, PretrainedConfig? pretrained)
    {
        var metadata = Hyperparameters(config);
        if (pretrained is not null)
        {
            metadata[ConfigKey] = ModelConfigJson.Serialize(config, pretrained, indented: false);
        }

        return metadata;
    }

    /// <summary>The configuration stored under <see cref="ConfigKey"/>, or null when there is none.</summary>
    public static StoredModelConfig? ReadStored(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ConfigKey, out var json))
        {
            return null;
        }

        try
        {
            return ModelConfigJson.Parse(json);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidCheckpointException(path, $"its metadata '{ConfigKey}' is invalid: {e.Message}.");
        }
    }

    private static Dictionary<string, string> Hyperparameters(ConvMixerConfig config) => new(StringComparer.Ordinal)
    {
        ["format"] = "pt",
        [ArchitectureKey] = ArchitectureValue,
        ["dim"] = Text(config.Dim),
        ["depth"] = Text(config.Depth),
        ["kernel_size"] = Text(config.KernelSize),
        ["patch_size"] = Text(config.PatchSize),
        ["num_classes"] = Text(config.NumClasses),
        ["in_chans"] = Text(config.InChannels),
        ["activation"] = config.Activation.ToString().ToLowerInvariant(),
        ["residual_placement"] = config.ResidualPlacement.ToString(),
    };

    public static Activation? ReadActivation(string path, IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue("activation", out var text)
            ? Enum.TryParse<Activation>(text, ignoreCase: true, out var activation) && Enum.IsDefined(activation)
                ? activation
                : throw new InvalidCheckpointException(path, $"its metadata names activation '{text}', which is not one of {string.Join(", ", Enum.GetNames<Activation>())}.")
            : null;

    public static ResidualPlacement? ReadResidualPlacement(string path, IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue("residual_placement", out var text)
            ? Enum.TryParse<ResidualPlacement>(text, ignoreCase: true, out var placement) && Enum.IsDefined(placement)
                ? placement
                : throw new InvalidCheckpointException(path, $"its metadata names residual placement '{text}', which is not one of {string.Join(", ", Enum.GetNames<ResidualPlacement>())}.")
            : null;

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
