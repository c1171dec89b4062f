using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Vision;

/// <summary>The one mapping from <see cref="InferencePrecision"/> to a TorchSharp dtype.</summary>
public static class InferencePrecisionExtensions
{
    /// <summary>The dtype <paramref name="precision"/> computes in on <paramref name="device"/>.</summary>
    /// <exception cref="NotSupportedException">float16 on the CPU (use bfloat16 there).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An undefined precision.</exception>
    public static ScalarType ToScalarType(this InferencePrecision precision, DeviceType device) => precision switch
    {
        InferencePrecision.Float32 => ScalarType.Float32,
        InferencePrecision.BFloat16 => ScalarType.BFloat16,
        InferencePrecision.Float16 when device == DeviceType.CUDA => ScalarType.Float16,
        InferencePrecision.Float16 => throw new NotSupportedException("float16 inference needs CUDA; on the CPU use InferencePrecision.BFloat16."),
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision."),
    };
}
