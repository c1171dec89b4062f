namespace ConvMixerNet.Onnx;

/// <summary>Choices for <see cref="OnnxInt8Quantizer"/>.</summary>
public sealed record OnnxQuantizationOptions
{
    /// <summary>The default options.</summary>
    public static OnnxQuantizationOptions Default { get; } = new();

    /// <summary>Whether the classifier (Gemm) gets int8 weights too; the convolutions always do.</summary>
    public bool QuantizeClassifier { get; init; } = true;

    /// <summary>Whether the patch embedding (the first convolution, which sees the raw pixels) keeps float32 weights and inputs.</summary>
    public bool KeepPatchEmbeddingFloat { get; init; }

    /// <summary>How activation ranges are taken from the calibration batches.</summary>
    public CalibrationMethod Calibration { get; init; } = CalibrationMethod.MinMax;

    /// <summary>For <see cref="CalibrationMethod.Percentile"/>: the share of values kept inside the range at each end, in percent.</summary>
    public double Percentile { get; init; } = 99.99;

    /// <summary>Threads for the calibration runs; 0 lets ONNX Runtime choose.</summary>
    public int CalibrationThreads { get; init; }
}
