namespace ConvMixerNet.Onnx;

/// <summary>Choices for <see cref="ConvMixerOnnxExporter"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The default options.</summary>
    public static OnnxExportOptions Default { get; } = new();

    /// <summary>How exact GELU is written (ReLU models ignore it).</summary>
    public OnnxGeluForm GeluForm { get; init; } = OnnxGeluForm.ErfPattern;

    /// <summary>
    /// Also output the last ConvMixer layer's output as <see cref="OnnxGraphNames.LastLayer"/>, so ConvMixerNet.Vision can
    /// explain the model's predictions with EigenCAM on ONNX Runtime. Off by default: the graph then has one output.
    /// </summary>
    public bool LastLayerOutput { get; init; }

    /// <summary>Recorded as the graph's name.</summary>
    public string GraphName { get; init; } = "convmixer";
}
