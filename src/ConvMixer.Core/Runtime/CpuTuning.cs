using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ConvMixerNet.Core;

/// <summary>
/// Process-wide settings that make libtorch markedly faster on Linux CPUs. They are opt-in because they change the
/// whole process: call <see cref="Apply"/> once at start-up, before the first tensor operation (the ConvMixer CLI,
/// the samples and the benchmarks do). Measurements: docs/BENCHMARKS.md.
/// </summary>
/// <remarks>
/// <para>
/// <b>Allocator.</b> libtorch takes every tensor from the C heap. glibc's <c>malloc</c> serves blocks above its mmap
/// threshold with fresh <c>mmap</c>s and returns freed memory above its trim threshold to the kernel, so a network
/// whose activations are megabytes each gets brand-new pages, and a page fault per 4 KB, on every forward. Raising both
/// thresholds to <see cref="AllocatorThresholdBytes"/> keeps freed blocks in the heap for the next forward, and
/// limiting glibc to its main arena keeps worker threads' large tensors in that heap too; the price is that the
/// process does not give memory back to the system while it runs (its RSS stays at its peak).
/// </para>
/// <para>
/// <b>Kernels.</b> libtorch reads <c>ATEN_CPU_CAPABILITY</c> once, at its first operation, to choose between its
/// AVX2 and AVX-512 kernels (BatchNorm, GELU, additions). When the CPU has AVX-512 (F, BW, DQ, VL) and the variable
/// is not set, <see cref="Apply"/> sets it to <c>avx512</c>; a value the user set is left alone. oneDNN, which runs
/// the convolutions, chooses its instruction set by itself and is not affected.
/// </para>
/// </remarks>
public static partial class CpuTuning
{
    /// <summary>The mmap and trim thresholds set for glibc's <c>malloc</c>: 1 GiB.</summary>
    public const int AllocatorThresholdBytes = 1 << 30;

    /// <summary>The environment variable libtorch reads to choose its vectorised CPU kernels.</summary>
    public const string KernelVariable = "ATEN_CPU_CAPABILITY";

    /// <summary>Setting this environment variable to <c>off</c> makes <see cref="Apply"/> change nothing, so the users of an app that calls it can compare with libtorch's defaults.</summary>
    public const string SwitchVariable = "CONVMIXER_CPU_TUNING";

    private const int MallocTrimThreshold = -1; // M_TRIM_THRESHOLD in glibc's malloc.h
    private const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD
    private const int MallocArenaMax = -8; // M_ARENA_MAX

    /// <summary>Applies the allocator and kernel settings where the platform allows (unless switched off) and reports what is in effect.</summary>
    public static CpuTuningResult Apply()
    {
        if (string.Equals(Environment.GetEnvironmentVariable(SwitchVariable), "off", StringComparison.OrdinalIgnoreCase))
        {
            return new CpuTuningResult(AllocatorTuned: false, CurrentKernels(), SwitchedOff: true);
        }

        return new CpuTuningResult(KeepFreedMemoryForReuse(), SelectKernels(), SwitchedOff: false);
    }

    /// <summary>
    /// Raises glibc's mmap and trim thresholds and stops it from creating more arenas; false where there is no glibc
    /// (or it refused). The arena limit matters for work on threads other than the main one: their arenas grow in
    /// 64 MB heaps, so larger tensors are mapped afresh and faulted in on every forward whatever the thresholds
    /// (measured with PyTorch on a 2-core Zen 5: a ConvMixer-768/32 forward of 32 images took 72 s on a worker thread
    /// against 5.7 s on the main thread). Threads that already have an arena keep it; set <c>MALLOC_ARENA_MAX=1</c> in the environment of
    /// the process to cover those too.
    /// </summary>
    public static bool KeepFreedMemoryForReuse()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // '&', not '&&': apply every setting even if one is refused.
            return mallopt(MallocMmapThreshold, AllocatorThresholdBytes) == 1
                & mallopt(MallocTrimThreshold, AllocatorThresholdBytes) == 1
                & mallopt(MallocArenaMax, 1) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // Not glibc (e.g. musl without mallopt).
        }
    }

    /// <summary>
    /// Sets <c>ATEN_CPU_CAPABILITY=avx512</c> when the CPU supports it and the variable is unset, and returns the
    /// variable's value afterwards (<see langword="null"/>: unset, libtorch detects by itself). It only takes effect
    /// if libtorch has not run an operation yet.
    /// </summary>
    public static string? SelectKernels()
    {
        if (OperatingSystem.IsLinux() && CurrentKernels() is null && HasAvx512ForLibTorch())
        {
            NativeEnvironment.Set(KernelVariable, "avx512");
        }

        return CurrentKernels();
    }

    private static string? CurrentKernels() =>
        OperatingSystem.IsLinux() ? NativeEnvironment.Get(KernelVariable) : Environment.GetEnvironmentVariable(KernelVariable);

    /// <summary>The AVX-512 subsets libtorch's AVX-512 kernels are compiled for.</summary>
    public static bool HasAvx512ForLibTorch() =>
        Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);
}
