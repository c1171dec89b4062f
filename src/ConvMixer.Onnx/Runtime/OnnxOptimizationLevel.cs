namespace ConvMixerNet.Onnx;

/// <summary>How much ONNX Runtime rewrites the graph before running it (its <c>GraphOptimizationLevel</c>).</summary>
public enum OnnxOptimizationLevel
{
    /// <summary>No rewriting: every node runs as written (slow; for debugging).</summary>
    None,

    /// <summary>Constant folding and redundant-node removal.</summary>
    Basic,

    /// <summary>Also fusions: the Erf pattern becomes one Gelu kernel and QuantizeLinear/DequantizeLinear around a Conv become its int8 kernel.</summary>
    Extended,

    /// <summary>Everything, including memory-layout changes (ONNX Runtime's default).</summary>
    All,
}
