namespace ConvMixerNet.Core.Tests;

/// <summary>
/// What the kernel says about this process, read independently of <see cref="CpuTuning"/>: the CPU's flags from
/// <c>/proc/cpuinfo</c> and the environment the process started with from <c>/proc/self/environ</c>.
/// </summary>
internal static class ProcessCpu
{
    private static readonly Lazy<IReadOnlySet<string>> LazyFlags = new(ReadFlags);

    /// <summary>The AVX-512 subsets libtorch's AVX-512 kernels need (F, BW, DQ, VL), by the kernel's CPU flags (Linux).</summary>
    public static bool HasAvx512ForLibTorch =>
        new[] { "avx512f", "avx512bw", "avx512dq", "avx512vl" }.All(LazyFlags.Value.Contains);

    /// <summary>The value <paramref name="name"/> had when the process started (Linux), whatever was set since.</summary>
    public static string? InitialEnvironment(string name)
    {
        var prefix = name + "=";
        return File.ReadAllText("/proc/self/environ").Split('\0').FirstOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }

    private static IReadOnlySet<string> ReadFlags()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new HashSet<string>();
        }

        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? new HashSet<string>() : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }
}
