using ConvMixerNet.Onnx.Protobuf;
using Google.Protobuf;

namespace ConvMixerNet.Onnx;

/// <summary>Reads and checks exported ConvMixer .onnx files without running them.</summary>
public static class ConvMixerOnnxFile
{
    /// <summary>Reads the architecture and metadata of an exported file.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidOnnxModelException">The file is not ONNX, is truncated, or is not a ConvMixer export.</exception>
    public static OnnxModelDescription Describe(string path) => Describe(path, Read(path));

    internal static OnnxModelDescription Describe(string path, ModelProto model)
    {
        var signature = Signature(model);
        var config = signature.ConvMixerArchitecture(path);
        return new OnnxModelDescription(path, config, signature.Metadata, signature.Metadata.ContainsKey(OnnxMetadataKeys.Quantization));
    }

    /// <summary>Parses the file as an ONNX ModelProto.</summary>
    internal static ModelProto Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"There is no ONNX model at '{path}'.", path);
        }

        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidOnnxModelException(path, $"not a readable ONNX model: the protobuf is malformed or truncated ({e.Message})", e);
        }

        if (model.Graph is null || model.IrVersion <= 0 || model.OpsetImport.Count == 0)
        {
            throw new InvalidOnnxModelException(path, "not an ONNX model: it has no graph, IR version or opset.");
        }

        return model;
    }

    internal static GraphSignature Signature(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        static GraphSignature.Value Value(ValueInfoProto info)
        {
            var tensor = info.Type?.TensorType;
            var dims = tensor?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToList() ?? [];
            return new GraphSignature.Value(info.Name, tensor?.ElemType == (int)TensorProto.Types.DataType.Float, dims);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps)
        {
            metadata[entry.Key] = entry.Value;
        }

        return new GraphSignature(
            model.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Value).ToList(),
            model.Graph.Output.Select(Value).ToList(),
            metadata);
    }

    /// <summary>Why ONNX Runtime could not load <paramref name="path"/>, in words, with its exception inside.</summary>
    internal static InvalidOnnxModelException LoadFailure(string path, Exception runtimeError)
    {
        try
        {
            Read(path);
        }
        catch (InvalidOnnxModelException e)
        {
            return new InvalidOnnxModelException(path, e.Problem, runtimeError);
        }

        return new InvalidOnnxModelException(path, $"ONNX Runtime cannot load this model: {FirstLine(runtimeError.Message)}", runtimeError);
    }

    internal static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 400 ? line[..400] + "…" : line;
    }
}
