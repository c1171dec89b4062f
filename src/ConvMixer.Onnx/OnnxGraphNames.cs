namespace ConvMixerNet.Onnx;

/// <summary>Names of the graph's input and output, which the runtime checks.</summary>
public static class OnnxGraphNames
{
    /// <summary>The float32 image batch <c>[batch, in_chans, height, width]</c>.</summary>
    public const string Input = "input";

    /// <summary>The logits <c>[batch, num_classes]</c>.</summary>
    public const string Logits = "logits";

    /// <summary>The pooled features <c>[batch, dim]</c> of a model with no classifier.</summary>
    public const string Features = "features";

    /// <summary>
    /// The optional second output <c>[batch, dim, height / patch, width / patch]</c>: the last ConvMixer layer's output
    /// (timm's <c>blocks[-1]</c>), which EigenCAM explanations are made of (<see cref="OnnxExportOptions.LastLayerOutput"/>).
    /// </summary>
    public const string LastLayer = "last_layer";

    /// <summary>The output name of a model with <paramref name="numClasses"/> classes.</summary>
    public static string OutputFor(int numClasses) => numClasses > 0 ? Logits : Features;
}
