using System.Globalization;
using ConvMixerNet.Core;

namespace ConvMixerNet.Onnx;

/// <summary>Reads the architecture keys that files exported before the model description (<see cref="ModelConfig"/>) carry.</summary>
internal static class ArchitectureMetadata
{
    /// <summary>The architecture the metadata describes, or null with the reason when it does not describe one.</summary>
    public static ConvMixerConfig? TryRead(IReadOnlyDictionary<string, string> metadata, out string problem)
    {
        var missing = OnnxMetadataKeys.Architecture.Where(k => !metadata.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            problem = $"its metadata lacks the ConvMixer architecture keys {string.Join(", ", missing)}";
            return null;
        }

        try
        {
            var config = new ConvMixerConfig(
                Int(metadata, OnnxMetadataKeys.Dim),
                Int(metadata, OnnxMetadataKeys.Depth),
                Int(metadata, OnnxMetadataKeys.KernelSize),
                Int(metadata, OnnxMetadataKeys.PatchSize),
                Int(metadata, OnnxMetadataKeys.NumClasses),
                Int(metadata, OnnxMetadataKeys.InChannels),
                ParseActivation(metadata[OnnxMetadataKeys.Activation]),
                ParseResidual(metadata[OnnxMetadataKeys.ResidualPlacement]));
            config.Validate();
            problem = "";
            return config;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            problem = $"its architecture metadata is invalid ({e.Message})";
            return null;
        }
    }

    private static Activation ParseActivation(string text) => text switch
    {
        "gelu" => Activation.Gelu,
        "relu" => Activation.Relu,
        _ => throw new FormatException($"activation '{text}' is neither gelu nor relu"),
    };

    private static ResidualPlacement ParseResidual(string text) => text switch
    {
        "around_spatial_mixing" => ResidualPlacement.AroundSpatialMixing,
        "around_layer" => ResidualPlacement.AroundLayer,
        _ => throw new FormatException($"residual_placement '{text}' is neither around_spatial_mixing nor around_layer"),
    };

    private static int Int(IReadOnlyDictionary<string, string> metadata, string key) =>
        int.TryParse(metadata[key], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{key} '{metadata[key]}' is not a non-negative integer");
}
