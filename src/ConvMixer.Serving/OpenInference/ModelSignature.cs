namespace ConvMixerNet.Serving;

/// <summary>The tensors of the served model in the Open Inference Protocol: their names, datatypes and shapes.</summary>
public static class ModelSignature
{
    /// <summary>Already preprocessed images, FP32 <c>[N, C, H, W]</c>.</summary>
    public const string TensorInput = "input";

    /// <summary>Encoded image files (JPEG, PNG, WebP, BMP, GIF), BYTES <c>[N]</c>, preprocessed on the server as /v1/classify does.</summary>
    public const string ImageInput = "image";

    /// <summary>The model's logits, FP32 <c>[N, classes]</c>.</summary>
    public const string Logits = "logits";

    /// <summary>Softmax of the logits, FP32 <c>[N, classes]</c>.</summary>
    public const string Probabilities = "probabilities";

    /// <summary>The version the server answers for: one model is loaded at a time.</summary>
    public const string Version = "1";

    /// <summary>The name the model is served under: the configured one, else the architecture's as timm spells it.</summary>
    public static string NameOf(IClassificationModel model, ConvMixerServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var architecture = model.Description.Architecture;
        return string.IsNullOrEmpty(options.ModelName) ? $"convmixer_{architecture.Dim}_{architecture.Depth}" : options.ModelName;
    }
}
