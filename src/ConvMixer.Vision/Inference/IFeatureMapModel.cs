namespace ConvMixerNet.Vision;

/// <summary>
/// A classifier that can also return the output of its last ConvMixer layer (the feature map before pooling) and,
/// where it can differentiate, the gradient of a class logit with respect to that output: what class activation maps
/// (Grad-CAM, EigenCAM) are made of. <see cref="TorchSharpClassificationModel"/> provides both; an ONNX model provides
/// the feature map when it was exported with it. Implementations are safe to call from several threads at once.
/// </summary>
public interface IFeatureMapModel
{
    /// <summary>Why this model cannot return its last layer's output, or null when it can.</summary>
    string? FeatureMapsUnavailableReason { get; }

    /// <summary>Whether <see cref="FeatureMaps"/> can compute gradients (it needs automatic differentiation).</summary>
    bool ComputesGradients { get; }

    /// <summary>
    /// Runs <paramref name="count"/> images laid out <c>[count, InChannels, height, width]</c> and returns their logits
    /// and the last layer's output; with <paramref name="gradientClasses"/>, also the gradient of each image's chosen
    /// class logit (before softmax) with respect to that output.
    /// </summary>
    /// <param name="images">The preprocessed pixels.</param>
    /// <param name="count">Images in the batch.</param>
    /// <param name="height">Rows of every image.</param>
    /// <param name="width">Columns of every image.</param>
    /// <param name="gradientClasses">Null for no gradients; otherwise one entry per image: the class to differentiate,
    /// or null for the image's highest logit.</param>
    /// <exception cref="ArgumentException">The sizes do not fit the model or the buffer, or a class is out of range.</exception>
    /// <exception cref="NotSupportedException">The model cannot return feature maps, or gradients were asked of a model that cannot compute them.</exception>
    FeatureMapBatch FeatureMaps(ReadOnlySpan<float> images, int count, int height, int width, IReadOnlyList<int?>? gradientClasses = null);
}
