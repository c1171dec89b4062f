using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>The nonlinearity applied after every convolution of a ConvMixer.</summary>
public enum Activation
{
    /// <summary>Exact (erf) GELU, PyTorch's <c>nn.GELU()</c> default; used by ConvMixer-1536/20 and 1024/20.</summary>
    Gelu,

    /// <summary>ReLU; used by the published ConvMixer-768/32.</summary>
    Relu,
}

internal static class ActivationModules
{
    public static nn.Module<Tensor, Tensor> Create(Activation activation) => activation switch
    {
        Activation.Gelu => nn.GELU(),
        Activation.Relu => nn.ReLU(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Expected Activation.Gelu or Activation.Relu."),
    };
}
