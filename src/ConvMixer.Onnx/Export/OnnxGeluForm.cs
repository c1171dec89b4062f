namespace ConvMixerNet.Onnx;

/// <summary>How exact GELU is written into an exported graph.</summary>
public enum OnnxGeluForm
{
    /// <summary>
    /// <c>0.5·x·(1 + erf(x/√2))</c> as Div, Erf, Add, Mul, Mul (opset 17, readable by any ONNX tool); ONNX Runtime fuses
    /// it into one Gelu kernel. The default: as fast as <see cref="Gelu20"/> in ONNX Runtime (docs/BENCHMARKS.md).
    /// </summary>
    ErfPattern,

    /// <summary>The single <c>Gelu</c> operator of opset 20 (needs ONNX 1.15 or newer to check or run).</summary>
    Gelu20,
}
