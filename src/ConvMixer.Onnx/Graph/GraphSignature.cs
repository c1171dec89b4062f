using ConvMixerNet.Core;

namespace ConvMixerNet.Onnx;

/// <summary>
/// A model's inputs, outputs and metadata as either Google.Protobuf or ONNX Runtime reads them, so one check
/// decides whether a file is a ConvMixer export. Dimensions are sizes, or -1 where symbolic.
/// </summary>
internal sealed record GraphSignature(
    IReadOnlyList<GraphSignature.Value> Inputs,
    IReadOnlyList<GraphSignature.Value> Outputs,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>A graph input or output: its name, whether it is a float32 tensor, and its dimensions.</summary>
    public sealed record Value(string Name, bool IsFloat, IReadOnlyList<long> Dims);

    /// <summary>The architecture, or an <see cref="InvalidOnnxModelException"/> that says why this is not a ConvMixer export.</summary>
    public ConvMixerConfig ConvMixerArchitecture(string path)
    {
        var config = Describe(path);
        var outputName = OnnxGraphNames.OutputFor(config.NumClasses);
        var outputWidth = config.NumClasses > 0 ? config.NumClasses : config.Dim;
        if (Inputs.Count != 1 || Inputs[0].Name != OnnxGraphNames.Input)
        {
            throw NotConvMixer(path, $"expected one input '{OnnxGraphNames.Input}', found {Names(Inputs)}");
        }

        var input = Inputs[0];
        if (!input.IsFloat || input.Dims.Count != 4 || (input.Dims[1] != -1 && input.Dims[1] != config.InChannels))
        {
            throw NotConvMixer(path, $"input '{input.Name}' should be float32 [batch, {config.InChannels}, height, width], found {Describe(input)}");
        }

        var lastLayer = LastLayerOutput;
        if (Outputs.Count != (lastLayer is null ? 1 : 2) || Outputs.All(o => o.Name != outputName))
        {
            throw NotConvMixer(path, $"expected one output '{outputName}' (and optionally '{OnnxGraphNames.LastLayer}'), found {Names(Outputs)}");
        }

        var output = Outputs.Single(o => o.Name == outputName);
        if (!output.IsFloat || output.Dims.Count != 2 || (output.Dims[1] != -1 && output.Dims[1] != outputWidth))
        {
            throw NotConvMixer(path, $"output '{output.Name}' should be float32 [batch, {outputWidth}], found {Describe(output)}");
        }

        if (lastLayer is not null && (!lastLayer.IsFloat || lastLayer.Dims.Count != 4 || (lastLayer.Dims[1] != -1 && lastLayer.Dims[1] != config.Dim)))
        {
            throw NotConvMixer(path, $"output '{lastLayer.Name}' should be float32 [batch, {config.Dim}, rows, columns], found {Describe(lastLayer)}");
        }

        return config;
    }

    /// <summary>The model description stored with the graph, else (files of earlier versions) the architecture keys.</summary>
    public ConvMixerConfig Describe(string path)
    {
        try
        {
            return ModelConfig.FromMetadata(Metadata, path)?.Architecture
                ?? throw NotConvMixer(path, $"its metadata has neither the model description ('{OnnxMetadataKeys.Config}') nor the architecture keys of earlier exports ({string.Join(", ", OnnxMetadataKeys.Architecture)})");
        }
        catch (InvalidCheckpointException e)
        {
            throw new InvalidOnnxModelException(path, e.Problem, e);
        }
    }

    /// <summary>The optional output that holds the last ConvMixer layer's output, if the graph has it.</summary>
    public Value? LastLayerOutput => Outputs.FirstOrDefault(o => o.Name == OnnxGraphNames.LastLayer);

    private static InvalidOnnxModelException NotConvMixer(string path, string problem) =>
        new(path, $"this ONNX model is not a ConvMixer export: {problem}.");

    private static string Names(IReadOnlyList<Value> values) =>
        values.Count == 0 ? "none" : string.Join(", ", values.Select(v => $"'{v.Name}'"));

    private static string Describe(Value value) =>
        $"{(value.IsFloat ? "float32" : "non-float32")} [{string.Join(", ", value.Dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}
