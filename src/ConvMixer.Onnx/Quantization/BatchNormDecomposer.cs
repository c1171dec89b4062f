using ConvMixerNet.Onnx.Protobuf;

namespace ConvMixerNet.Onnx;

/// <summary>
/// Rewrites each inference BatchNormalization as <c>Mul(x, γ/√(σ²+ε)) → Add(β − μ·γ/√(σ²+ε))</c> with [C, 1, 1]
/// constants. ONNX Runtime runs its int8 convolutions channels-last and can move the layout Transposes through Mul
/// and Add (it broadcasts the constants) but not through BatchNormalization, so without this every int8 convolution
/// pays two Transposes.
/// </summary>
internal static class BatchNormDecomposer
{
    public static int Decompose(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var builder = new OnnxGraphBuilder(graph);
        var original = graph.Node.ToList();
        graph.Node.Clear();
        var count = 0;
        foreach (var node in original)
        {
            if (node.OpType != "BatchNormalization" || node.Domain != "" || node.Output.Count != 1)
            {
                graph.Node.Add(node);
                continue;
            }

            var epsilon = node.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            var gamma = InitializerData.Floats(initializers[node.Input[1]]);
            var beta = InitializerData.Floats(initializers[node.Input[2]]);
            var mean = InitializerData.Floats(initializers[node.Input[3]]);
            var variance = InitializerData.Floats(initializers[node.Input[4]]);
            var scale = new float[gamma.Length];
            var shift = new float[gamma.Length];
            for (var c = 0; c < gamma.Length; c++)
            {
                // In double, so the rewrite differs from BatchNormalization by float32 rounding only.
                var s = gamma[c] / Math.Sqrt(variance[c] + (double)epsilon);
                scale[c] = (float)s;
                shift[c] = (float)(beta[c] - (mean[c] * s));
            }

            var scaleName = builder.Initializer(node.Name + ".scale", scale, gamma.Length, 1, 1);
            var shiftName = builder.Initializer(node.Name + ".shift", shift, gamma.Length, 1, 1);
            var scaled = builder.Node("Mul", node.Name + ".mul", [node.Input[0], scaleName]);
            builder.Node("Add", node.Name + ".add", [scaled, shiftName], node.Output[0]);
            count++;
        }

        GeluPatternFuser.RemoveUnusedInitializers(graph);
        return count;
    }
}
