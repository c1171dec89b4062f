using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Core.Tests;

public class CpuTuningTests
{
    [Fact]
    public void On_linux_the_allocator_is_tuned_and_the_reported_kernels_are_what_libtorch_reads()
    {
        var result = CpuTuning.Apply();

        result.SwitchedOff.Should().BeFalse();
        result.AllocatorTuned.Should().Be(OperatingSystem.IsLinux(), "glibc's mallopt accepts the thresholds and the arena limit");
        if (OperatingSystem.IsLinux())
        {
            result.KernelCapability.Should().Be(NativeEnvironment.Get(CpuTuning.KernelVariable));
            if (CpuTuning.HasAvx512ForLibTorch())
            {
                result.KernelCapability.Should().NotBeNull("an AVX-512 CPU gets a kernel choice unless the user made one");
            }
        }
    }

    [Fact]
    public void A_kernel_choice_made_by_the_user_is_kept()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var before = NativeEnvironment.Get(CpuTuning.KernelVariable);
        try
        {
            NativeEnvironment.Replace(CpuTuning.KernelVariable, "avx2");

            CpuTuning.SelectKernels().Should().Be("avx2");
            NativeEnvironment.Get(CpuTuning.KernelVariable).Should().Be("avx2");
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
