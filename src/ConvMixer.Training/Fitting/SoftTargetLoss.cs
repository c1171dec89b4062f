using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>timm's <c>SoftTargetCrossEntropy</c>, the loss of mixed targets: <c>mean_n Σ_k −target_nk · log softmax(logits)_nk</c>.</summary>
internal static class SoftTargetLoss
{
    public static Tensor Compute(Tensor logits, Tensor targets) =>
        (-targets * nn.functional.log_softmax(logits, 1)).sum(1).mean();
}
