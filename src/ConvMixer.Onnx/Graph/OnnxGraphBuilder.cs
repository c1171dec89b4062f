using System.Runtime.InteropServices;
using ConvMixerNet.Onnx.Protobuf;
using Google.Protobuf;

namespace ConvMixerNet.Onnx;

/// <summary>Appends nodes and initializers to an ONNX <see cref="GraphProto"/>, with unique names and typed attributes.</summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(GraphProto graph)
    {
        Graph = graph;
        foreach (var name in graph.Initializer.Select(t => t.Name)
                     .Concat(graph.Node.SelectMany(n => n.Output))
                     .Concat(graph.Node.Select(n => n.Name))
                     .Concat(graph.Input.Select(i => i.Name)))
        {
            _names.Add(name);
        }
    }

    public GraphProto Graph { get; }

    /// <summary>Returns <paramref name="name"/>, or it with a numeric suffix if something already has that name.</summary>
    public string Unique(string name)
    {
        var candidate = name;
        for (var i = 1; !_names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }

    /// <summary>Adds a node and returns its first output's name; the node's own name is <paramref name="name"/> (made unique).</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, string? output = null, IEnumerable<AttributeProto>? attributes = null, string domain = "")
    {
        var node = new NodeProto { OpType = opType, Name = Unique(name), Domain = domain };
        node.Input.AddRange(inputs);
        var outputName = output ?? Unique(name + "_output");
        node.Output.Add(outputName);
        if (attributes is not null)
        {
            node.Attribute.AddRange(attributes);
        }

        Graph.Node.Add(node);
        return outputName;
    }

    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), dims);

    public string Initializer(string name, ReadOnlySpan<sbyte> values, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(values), dims);

    public string Initializer(string name, ReadOnlySpan<byte> values, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.Uint8, values, dims);

    public string Initializer(string name, ReadOnlySpan<int> values, params long[] dims) =>
        AddInitializer(name, TensorProto.Types.DataType.Int32, MemoryMarshal.AsBytes(values), dims);

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A float32 tensor type whose dimensions are fixed sizes (long) or symbolic names (string).</summary>
    public static ValueInfoProto FloatTensor(string name, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                _ => new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) },
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private string AddInitializer(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this platform is not.");
        }

        var tensor = new TensorProto { Name = Unique(name), DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }
}
