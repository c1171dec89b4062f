namespace ConvMixerNet.Onnx;

/// <summary>What <see cref="OnnxInt8Quantizer.Quantize"/> wrote.</summary>
/// <param name="Path">The int8 model.</param>
/// <param name="QuantizedConvolutions">Convolutions that got int8 per-channel weights and QuantizeLinear/DequantizeLinear around them.</param>
/// <param name="QuantizedClassifier">Whether the classifier got int8 weights.</param>
/// <param name="CalibrationImages">Images the activation ranges were measured on.</param>
/// <param name="FusedGeluNodes">Erf-pattern GELUs replaced by one Gelu node each (so ONNX Runtime runs one kernel between the int8 convolutions).</param>
public sealed record OnnxQuantizationResult(
    string Path,
    int QuantizedConvolutions,
    bool QuantizedClassifier,
    int CalibrationImages,
    int FusedGeluNodes);
