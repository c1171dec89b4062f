using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// A fact about the kernel choice on a Linux CPU without the AVX-512 subsets libtorch needs, in a process started
/// without <c>ATEN_CPU_CAPABILITY</c>; reported as skipped elsewhere.
/// </summary>
public sealed class WithoutAvx512FactAttribute : FactAttribute
{
    public WithoutAvx512FactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only.";
        }
        else if (ProcessCpu.HasAvx512ForLibTorch)
        {
            Skip = "This CPU has AVX-512 F, BW, DQ and VL (by /proc/cpuinfo).";
        }
        else if (ProcessCpu.InitialEnvironment(CpuTuning.KernelVariable) is { } chosen)
        {
            Skip = $"The process was started with {CpuTuning.KernelVariable}={chosen}, which is kept.";
        }
    }
}
