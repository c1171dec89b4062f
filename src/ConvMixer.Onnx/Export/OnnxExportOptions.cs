namespace ConvMixerNet.Onnx;

/// <summary>Choices for <see cref="ConvMixerOnnxExporter"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The default options.</summary>
    public static OnnxExportOptions Default { get; } = new();

    /// <summary>How exact GELU is written (ReLU models ignore it).</summary>
    public OnnxGeluForm GeluForm { get; init; } = OnnxGeluForm.ErfPattern;

    /// <summary>Recorded as the graph's name.</summary>
    public string GraphName { get; init; } = "convmixer";
}
