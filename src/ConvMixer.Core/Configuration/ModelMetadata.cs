namespace ConvMixerNet.Core;

/// <summary>
/// A model's hyperparameters and configuration as string key–value metadata, the form that <c>.safetensors</c> headers
/// and ONNX's <c>metadata_props</c> hold: timm's constructor names (<c>dim</c>, <c>depth</c>, <c>kernel_size</c>,
/// <c>patch_size</c>, <c>num_classes</c>, <c>in_chans</c>), <c>activation</c>, <c>residual_placement</c>, and under
/// <c>config</c> the model folder's <c>config.json</c> (preprocessing, class names, provenance).
/// </summary>
public static class ModelMetadata
{
    /// <summary>The metadata of <paramref name="architecture"/> with <paramref name="pretrained"/> (when known).</summary>
    public static IReadOnlyDictionary<string, string> From(ConvMixerConfig architecture, PretrainedConfig? pretrained)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return CheckpointMetadata.From(architecture, pretrained);
    }

    /// <summary>The configuration stored in <paramref name="metadata"/>, checked against <paramref name="architecture"/>; null when none is stored.</summary>
    /// <param name="source">The file the metadata came from, for messages.</param>
    /// <param name="metadata">The key–value pairs.</param>
    /// <param name="architecture">The architecture the weights have, to check channels and class names against.</param>
    /// <exception cref="InvalidCheckpointException">The stored configuration is malformed or does not fit the architecture.</exception>
    public static PretrainedConfig? ReadPretrained(string source, IReadOnlyDictionary<string, string> metadata, ConvMixerConfig architecture)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(architecture);
        var pretrained = CheckpointMetadata.ReadStored(source, metadata)?.Pretrained;
        try
        {
            pretrained?.ValidateFor(architecture);
        }
        catch (ArgumentException e)
        {
            throw new InvalidCheckpointException(source, $"its stored configuration does not fit the model: {e.Message.Split(" (Parameter", 2)[0]}");
        }

        return pretrained;
    }
}
