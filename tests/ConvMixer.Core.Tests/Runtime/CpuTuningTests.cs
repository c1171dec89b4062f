using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// <see cref="CpuTuning"/>, checked against sources it does not use: the kernel's CPU flags, the environment the process
/// started with and libtorch's own answer. The test assembly applies the tuning before its first tensor
/// (<see cref="CpuTuningInitializer"/>), as apps do. Facts that do not apply to this machine are reported as skipped.
/// </summary>
public class CpuTuningTests
{
    [LinuxFact]
    public void On_linux_glibcs_allocator_accepts_the_settings()
    {
        var result = CpuTuning.Apply();

        result.SwitchedOff.Should().BeFalse();
        result.AllocatorTuned.Should().BeTrue("glibc's mallopt accepts the thresholds and the arena limit");
    }

    [LinuxFact]
    public void The_AVX512_check_agrees_with_the_kernels_CPU_flags()
    {
        CpuTuning.HasAvx512ForLibTorch().Should().Be(ProcessCpu.HasAvx512ForLibTorch, ".NET's intrinsics and /proc/cpuinfo describe the same CPU");
    }

    [Avx512Fact]
    public void On_an_AVX512_CPU_libtorch_runs_its_AVX512_kernels()
    {
        var result = CpuTuning.Apply();

        result.KernelCapability.Should().Be("avx512");
        LibcEnvironment.Get(CpuTuning.KernelVariable).Should().Be("avx512", "libtorch reads the C library's environment, not .NET's copy");
        LibTorchKernels.Current().Should().Be("AVX512", "libtorch read the variable at its first operation, after the tuning set it");
    }

    [WithoutAvx512Fact]
    public void Without_AVX512_the_kernel_choice_is_left_to_libtorch()
    {
        var result = CpuTuning.Apply();

        result.KernelCapability.Should().BeNull();
        LibcEnvironment.Get(CpuTuning.KernelVariable).Should().BeNull();
        LibTorchKernels.Current().Should().NotBe("AVX512");
    }

    [Avx512Fact]
    public void A_kernel_choice_made_by_the_user_is_kept()
    {
        // Only where the tuning would otherwise choose avx512 does keeping "avx2" show anything.
        var before = LibcEnvironment.Get(CpuTuning.KernelVariable);
        try
        {
            NativeEnvironment.Replace(CpuTuning.KernelVariable, "avx2");

            CpuTuning.SelectKernels().Should().Be("avx2");
            LibcEnvironment.Get(CpuTuning.KernelVariable).Should().Be("avx2");
        }
        finally
        {
            NativeEnvironment.Replace(CpuTuning.KernelVariable, before);
        }
    }

    [Fact]
    public void Switched_off_it_changes_nothing_and_says_so()
    {
        var before = Environment.GetEnvironmentVariable(CpuTuning.SwitchVariable);
        try
        {
            Environment.SetEnvironmentVariable(CpuTuning.SwitchVariable, "off");

            var result = CpuTuning.Apply();

            result.SwitchedOff.Should().BeTrue();
            result.AllocatorTuned.Should().BeFalse();
            result.ToString().Should().Contain("CONVMIXER_CPU_TUNING=off");
        }
        finally
        {
            Environment.SetEnvironmentVariable(CpuTuning.SwitchVariable, before);
        }
    }
}
