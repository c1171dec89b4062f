using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// A fact about the kernel choice on a Linux CPU with the AVX-512 subsets libtorch needs, in a process started without
/// <c>ATEN_CPU_CAPABILITY</c>; reported as skipped elsewhere.
/// </summary>
public sealed class Avx512FactAttribute : FactAttribute
{
    public Avx512FactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only.";
        }
        else if (!ProcessCpu.HasAvx512ForLibTorch)
        {
            Skip = "This CPU lacks AVX-512 F, BW, DQ or VL (by /proc/cpuinfo).";
        }
        else if (ProcessCpu.InitialEnvironment(CpuTuning.KernelVariable) is { } chosen)
        {
            Skip = $"The process was started with {CpuTuning.KernelVariable}={chosen}, which is kept.";
        }
    }
}
