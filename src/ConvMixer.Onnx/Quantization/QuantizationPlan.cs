using ConvMixerNet.Onnx.Protobuf;

namespace ConvMixerNet.Onnx;

/// <summary>Which nodes get int8 weights and which tensors get QuantizeLinear/DequantizeLinear, decided from the graph.</summary>
internal sealed class QuantizationPlan
{
    private QuantizationPlan(IReadOnlyList<Quantized> convolutions, Quantized? classifier)
    {
        Convolutions = convolutions;
        Classifier = classifier;
        CalibratedTensors = convolutions.SelectMany(c => new[] { c.Input, c.QuantizedOutput! })
            .Concat(classifier is null ? [] : [classifier.Input])
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A node with int8 weights: its activation input and, for convolutions, the tensor whose Q/DQ follows it.</summary>
    /// <param name="Node">The Conv or Gemm.</param>
    /// <param name="Input">Its activation input.</param>
    /// <param name="QuantizedOutput">
    /// The convolution's output, or the output of the ReLU right after it (so ONNX Runtime folds the ReLU into the
    /// int8 kernel); null for the classifier, whose logits stay float32.
    /// </param>
    public sealed record Quantized(NodeProto Node, string Input, string? QuantizedOutput);

    public IReadOnlyList<Quantized> Convolutions { get; }

    public Quantized? Classifier { get; }

    public IReadOnlyList<string> CalibratedTensors { get; }

    public static QuantizationPlan For(GraphProto graph, bool quantizeClassifier, bool keepPatchEmbeddingFloat)
    {
        var consumers = graph.Node.SelectMany(n => n.Input.Select(i => (Input: i, Node: n)))
            .ToLookup(p => p.Input, p => p.Node, StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var convolutions = new List<Quantized>();
        // The patch embedding is the one convolution that reads the graph input.
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv" && n.Domain == ""
                     && !(keepPatchEmbeddingFloat && n.Input[0] == OnnxGraphNames.Input)))
        {
            var output = conv.Output[0];
            var next = consumers[output].ToList();
            if (next is [{ OpType: "Relu", Domain: "" } relu] && !graphOutputs.Contains(output))
            {
                output = relu.Output[0];
            }

            convolutions.Add(new Quantized(conv, conv.Input[0], output));
        }

        var gemm = quantizeClassifier ? graph.Node.FirstOrDefault(n => n.OpType == "Gemm" && n.Domain == "") : null;
        return new QuantizationPlan(convolutions, gemm is null ? null : new Quantized(gemm, gemm.Input[0], null));
    }
}
