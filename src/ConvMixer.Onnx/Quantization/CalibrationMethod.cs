namespace ConvMixerNet.Onnx;

/// <summary>How the quantizer turns the calibration activations into each tensor's int8 range.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen: nothing is clipped, but one outlier coarsens every step.</summary>
    MinMax,

    /// <summary>
    /// Per batch, the <see cref="OnnxQuantizationOptions.Percentile"/>-th percentile at each end, averaged over the
    /// batches: the rare extreme values are clipped so the common ones get finer steps.
    /// </summary>
    Percentile,
}
