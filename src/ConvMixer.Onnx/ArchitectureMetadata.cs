using System.Globalization;
using ConvMixerNet.Core;

namespace ConvMixerNet.Onnx;

/// <summary>Writes a <see cref="ConvMixerConfig"/> as metadata_props and reads it back.</summary>
internal static class ArchitectureMetadata
{
    public static IEnumerable<KeyValuePair<string, string>> Write(ConvMixerConfig config)
    {
        yield return new(OnnxMetadataKeys.Dim, Text(config.Dim));
        yield return new(OnnxMetadataKeys.Depth, Text(config.Depth));
        yield return new(OnnxMetadataKeys.KernelSize, Text(config.KernelSize));
        yield return new(OnnxMetadataKeys.PatchSize, Text(config.PatchSize));
        yield return new(OnnxMetadataKeys.InChannels, Text(config.InChannels));
        yield return new(OnnxMetadataKeys.NumClasses, Text(config.NumClasses));
        yield return new(OnnxMetadataKeys.Activation, Name(config.Activation));
        yield return new(OnnxMetadataKeys.ResidualPlacement, Name(config.ResidualPlacement));
    }

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

    public static string Name(Activation activation) => activation switch
    {
        Activation.Gelu => "gelu",
        Activation.Relu => "relu",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    public static string Name(ResidualPlacement placement) => placement switch
    {
        ResidualPlacement.AroundSpatialMixing => "around_spatial_mixing",
        ResidualPlacement.AroundLayer => "around_layer",
        _ => throw new ArgumentOutOfRangeException(nameof(placement), placement, "Unknown residual placement."),
    };

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

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
