using ConvMixerNet.Onnx.Protobuf;

namespace ConvMixerNet.Onnx;

/// <summary>
/// Replaces each exact-GELU Erf pattern <c>Mul(Mul(x, Add(Erf(Div(x, √2)), 1)), 0.5)</c> by one opset-20 Gelu node.
/// Between QuantizeLinear/DequantizeLinear pairs ONNX Runtime does not fuse the pattern itself, and five elementwise
/// passes over every activation then cost more than the int8 convolutions save. The ONNX-domain Gelu (rather than
/// com.microsoft's) is one ONNX Runtime can move layout Transposes through.
/// </summary>
internal static class GeluPatternFuser
{
    /// <summary>The first opset with a Gelu operator.</summary>
    public const int GeluOpset = 20;

    /// <summary>Rewrites <paramref name="graph"/> in place and returns how many patterns it replaced.</summary>
    public static int Fuse(GraphProto graph)
    {
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }

            foreach (var input in node.Input)
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        NodeProto? Only(string tensor, string opType) =>
            consumers.TryGetValue(tensor, out var list) && list.Count == 1 && list[0].OpType == opType && list[0].Domain == "" ? list[0] : null;

        var replaced = new Dictionary<NodeProto, NodeProto?>(ReferenceEqualityComparer.Instance);
        var fused = 0;
        foreach (var erf in graph.Node.Where(n => n.OpType == "Erf" && n.Domain == "").ToList())
        {
            if (!producers.TryGetValue(erf.Input[0], out var div) || div.OpType != "Div")
            {
                continue;
            }

            var x = div.Input[0];
            var add = Only(erf.Output[0], "Add");
            var mul = add is null ? null : Only(add.Output[0], "Mul");
            var half = mul is null ? null : Only(mul.Output[0], "Mul");
            if (half is null || !mul!.Input.Contains(x) || Only(div.Output[0], "Erf") is null)
            {
                continue;
            }

            var gelu = new NodeProto { OpType = "Gelu", Domain = "", Name = div.Name.Replace(".div", "", StringComparison.Ordinal) };
            gelu.Input.Add(x);
            gelu.Output.Add(half.Output[0]);
            replaced[div] = gelu;
            replaced[erf] = null;
            replaced[add!] = null;
            replaced[mul] = null;
            replaced[half] = null;
            fused++;
        }

        if (fused == 0)
        {
            return 0;
        }

        var nodes = graph.Node.Select(n => replaced.TryGetValue(n, out var r) ? r : n).Where(n => n is not null).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes!);
        RemoveUnusedInitializers(graph);
        return fused;
    }

    public static void RemoveUnusedInitializers(GraphProto graph)
    {
        var used = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var kept = graph.Initializer.Where(t => used.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(kept);
    }
}
