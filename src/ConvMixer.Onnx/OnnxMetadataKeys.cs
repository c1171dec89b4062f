namespace ConvMixerNet.Onnx;

/// <summary>
/// The <c>metadata_props</c> keys of exported files. Every export carries the model's <see cref="ConvMixerNet.Core.ModelConfig"/>
/// document under <see cref="Config"/>, so the file alone describes its architecture, preprocessing and class names.
/// Files of earlier versions carried the architecture as separate keys (<see cref="Dim"/> … <see cref="ResidualPlacement"/>),
/// which are still read when there is no document. Callers' own metadata must use other keys.
/// </summary>
public static class OnnxMetadataKeys
{
    /// <summary>The model description (<see cref="ConvMixerNet.Core.ModelConfig.MetadataKey"/>).</summary>
    public const string Config = ConvMixerNet.Core.ModelConfig.MetadataKey;

    /// <summary>Width (channels of every patch vector).</summary>
    public const string Dim = "dim";

    /// <summary>Number of ConvMixer layers.</summary>
    public const string Depth = "depth";

    /// <summary>Side of the depthwise kernels.</summary>
    public const string KernelSize = "kernel_size";

    /// <summary>Side and stride of the patch embedding.</summary>
    public const string PatchSize = "patch_size";

    /// <summary>Channels of the input images.</summary>
    public const string InChannels = "in_chans";

    /// <summary>Classifier outputs; 0 when the graph returns pooled features.</summary>
    public const string NumClasses = "num_classes";

    /// <summary>Activation: <c>gelu</c> or <c>relu</c>.</summary>
    public const string Activation = "activation";

    /// <summary>Residual placement: <c>around_spatial_mixing</c> (timm, paper) or <c>around_layer</c>.</summary>
    public const string ResidualPlacement = "residual_placement";

    /// <summary>Written by the quantizer only: how the file was quantized (absent in float32 exports).</summary>
    public const string Quantization = "quantization";

    /// <summary>Written by the quantizer only: the calibration method (<c>minmax</c> or <c>percentile P</c>).</summary>
    public const string QuantizationCalibration = "quantization_calibration";

    /// <summary>Written by the quantizer only: how many calibration images the activation ranges come from.</summary>
    public const string QuantizationCalibrationImages = "quantization_calibration_images";

    /// <summary>The architecture keys of files written before the document, read from files without <see cref="Config"/>.</summary>
    public static IReadOnlyList<string> Architecture => ConvMixerNet.Core.ModelConfig.LegacyMetadataKeys;

    /// <summary>Keys the library writes itself; caller metadata may not use them.</summary>
    public static IReadOnlyList<string> Reserved { get; } = [Config, .. Architecture, Quantization, QuantizationCalibration, QuantizationCalibrationImages];
}
