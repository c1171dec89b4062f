using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Cli;

/// <summary>The process settings several commands share: libtorch's thread count and the inference precision.</summary>
internal static class Runtime
{
    public static void ApplyThreads(int? threads)
    {
        if (threads is { } count)
        {
            if (count <= 0)
            {
                throw new UsageException($"--threads must be positive, not {count}.");
            }

            torch.set_num_threads(count);
        }
    }

    /// <summary>The CPU dtype of a precision (float16 needs CUDA, which the tool does not use).</summary>
    public static ScalarType CpuDType(InferencePrecision precision) =>
        precision is InferencePrecision.Float32 or InferencePrecision.BFloat16
            ? precision.ToScalarType(DeviceType.CPU)
            : throw new UsageException("the tool runs on the CPU: use --precision float32 or bfloat16.");
}
