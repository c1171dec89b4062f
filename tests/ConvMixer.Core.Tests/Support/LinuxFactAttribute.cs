using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>A fact about Linux-only behaviour, reported as skipped on other systems.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only (glibc's allocator and the native environment libtorch reads).";
        }
    }
}
