using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>The training objective: mean cross-entropy against targets smoothed towards the uniform distribution.</summary>
internal static class TrainingLoss
{
    /// <summary>
    /// <c>(1 - s) * CE(logits, label) + s * mean_k(-log softmax(logits)_k)</c>, libtorch's <c>cross_entropy</c> with
    /// <c>label_smoothing = s</c> (the same as PyTorch's <c>nn.CrossEntropyLoss(label_smoothing=s)</c>).
    /// </summary>
    public static Tensor Compute(Tensor logits, Tensor labels, double labelSmoothing) =>
        nn.functional.cross_entropy(logits, labels, label_smoothing: labelSmoothing);
}
