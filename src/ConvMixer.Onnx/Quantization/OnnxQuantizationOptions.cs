namespace ConvMixerNet.Onnx;

/// <summary>Choices for <see cref="OnnxInt8Quantizer"/>.</summary>
public sealed record OnnxQuantizationOptions
{
    /// <summary>The default options.</summary>
    public static OnnxQuantizationOptions Default { get; } = new();

    /// <summary>Whether the classifier (Gemm) gets int8 weights too; the convolutions always do.</summary>
    public bool QuantizeClassifier { get; init; } = true;

    /// <summary>Threads for the calibration runs; 0 lets ONNX Runtime choose.</summary>
    public int CalibrationThreads { get; init; }
}
