using ConvMixerNet.Onnx.Protobuf;

namespace ConvMixerNet.Onnx;

/// <summary>Rewrites a float32 graph into QDQ form following a <see cref="QuantizationPlan"/> and calibrated ranges.</summary>
internal sealed class QdqRewriter
{
    private const int Int8Max = 127;

    private readonly GraphProto _graph;
    private readonly IReadOnlyDictionary<string, ActivationRange> _ranges;
    private readonly OnnxGraphBuilder _builder;
    private readonly Dictionary<string, TensorProto> _initializers;

    // Float tensor → the tensor that holds its quantize-dequantize round trip.
    private readonly Dictionary<string, string> _dequantized = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (float Scale, byte ZeroPoint)> _activationScales = new(StringComparer.Ordinal);

    public QdqRewriter(GraphProto graph, IReadOnlyDictionary<string, ActivationRange> ranges)
    {
        _graph = graph;
        _ranges = ranges;
        _builder = new OnnxGraphBuilder(graph);
        _initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public void Rewrite(QuantizationPlan plan)
    {
        var quantized = new Dictionary<NodeProto, QuantizationPlan.Quantized>(ReferenceEqualityComparer.Instance);
        foreach (var q in plan.Convolutions.Concat(plan.Classifier is null ? [] : [plan.Classifier]))
        {
            quantized[q.Node] = q;
        }

        var outputs = plan.Convolutions.Select(c => c.QuantizedOutput!).ToHashSet(StringComparer.Ordinal);
        var original = _graph.Node.ToList();
        _graph.Node.Clear();
        foreach (var node in original)
        {
            if (quantized.TryGetValue(node, out var q))
            {
                QuantizeWeightedNode(node, q);
            }

            // A quantized output is first written under another name, then Q/DQ restore the original name for its consumers.
            var quantizedOutput = node.Output.FirstOrDefault(outputs.Contains);
            if (quantizedOutput is null)
            {
                _graph.Node.Add(node);
                continue;
            }

            var raw = _builder.Unique(quantizedOutput + "_float");
            node.Output[node.Output.IndexOf(quantizedOutput)] = raw;
            _graph.Node.Add(node);
            QuantizeDequantize(raw, quantizedOutput, _ranges[quantizedOutput]);
            _dequantized[quantizedOutput] = quantizedOutput;
        }

        GeluPatternFuser.RemoveUnusedInitializers(_graph);
    }

    private void QuantizeWeightedNode(NodeProto node, QuantizationPlan.Quantized q)
    {
        var input = DequantizedInput(q.Input);
        var inputScale = _activationScales[q.Input].Scale;
        if (node.OpType == "Gemm" && !node.Attribute.Any(a => a.Name == "transB" && a.I == 1))
        {
            throw new InvalidOperationException($"Gemm '{node.Name}' is expected to have transB = 1, as exported.");
        }

        var weight = _initializers[node.Input[1]];
        var (weightDq, weightScales) = QuantizeWeights(weight);
        node.Input[0] = input;
        node.Input[1] = weightDq;
        if (node.Input.Count > 2 && _initializers.TryGetValue(node.Input[2], out var bias))
        {
            node.Input[2] = QuantizeBias(bias, inputScale, weightScales);
        }
    }

    private string DequantizedInput(string tensor)
    {
        if (_dequantized.TryGetValue(tensor, out var existing))
        {
            return existing;
        }

        var dequantized = _builder.Unique(tensor + "_dequantized");
        QuantizeDequantize(tensor, dequantized, _ranges[tensor]);
        _dequantized[tensor] = dequantized;
        return dequantized;
    }

    private void QuantizeDequantize(string from, string to, ActivationRange range)
    {
        var (scale, zeroPoint) = range.Uint8();
        var key = to.EndsWith("_dequantized", StringComparison.Ordinal) ? from : to;
        _activationScales[key] = (scale, zeroPoint);
        var scaleName = _builder.Initializer(key + "_scale", [scale]);
        var zeroName = _builder.Initializer(key + "_zero_point", [zeroPoint]);
        var quantized = _builder.Node("QuantizeLinear", key + "_quantize", [from, scaleName, zeroName]);
        _builder.Node("DequantizeLinear", key + "_dequantize", [quantized, scaleName, zeroName], to);
    }

    /// <summary>Symmetric int8 per output channel (axis 0): scale = max|w| / 127, so zero points are 0.</summary>
    private (string Dequantized, float[] Scales) QuantizeWeights(TensorProto weight)
    {
        var values = InitializerData.Floats(weight);
        var channels = (int)weight.Dims[0];
        var perChannel = values.Length / channels;
        var scales = new float[channels];
        var quantized = new sbyte[values.Length];
        for (var c = 0; c < channels; c++)
        {
            var slice = values.AsSpan(c * perChannel, perChannel);
            var amax = 0f;
            foreach (var v in slice)
            {
                amax = MathF.Max(amax, MathF.Abs(v));
            }

            var scale = amax > 0f ? amax / Int8Max : 1f;
            scales[c] = scale;
            for (var i = 0; i < perChannel; i++)
            {
                quantized[(c * perChannel) + i] = (sbyte)Math.Clamp(MathF.Round(slice[i] / scale, MidpointRounding.ToEven), -Int8Max, Int8Max);
            }
        }

        var dims = weight.Dims.ToArray();
        var data = _builder.Initializer(weight.Name + "_quantized", quantized, dims);
        var scaleName = _builder.Initializer(weight.Name + "_scale", scales, channels);
        var zeroName = _builder.Initializer(weight.Name + "_zero_point", new sbyte[channels], channels);
        var dequantized = _builder.Node("DequantizeLinear", weight.Name + "_dequantize", [data, scaleName, zeroName],
            attributes: [OnnxGraphBuilder.Int("axis", 0)]);
        return (dequantized, scales);
    }

    /// <summary>int32 bias with scale input_scale · weight_scale[c], the form int8 kernels add to their int32 accumulators.</summary>
    private string QuantizeBias(TensorProto bias, float inputScale, float[] weightScales)
    {
        var values = InitializerData.Floats(bias);
        var scales = new float[values.Length];
        var quantized = new int[values.Length];
        for (var c = 0; c < values.Length; c++)
        {
            scales[c] = inputScale * weightScales[c];
            quantized[c] = (int)Math.Clamp(Math.Round(values[c] / (double)scales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }

        var data = _builder.Initializer(bias.Name + "_quantized", quantized, values.Length);
        var scaleName = _builder.Initializer(bias.Name + "_scale", scales, values.Length);
        var zeroName = _builder.Initializer(bias.Name + "_zero_point", new int[values.Length], values.Length);
        return _builder.Node("DequantizeLinear", bias.Name + "_dequantize", [data, scaleName, zeroName],
            attributes: [OnnxGraphBuilder.Int("axis", 0)]);
    }
}
