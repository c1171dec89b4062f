namespace ConvMixerNet.Core;

/// <summary>What <see cref="CpuTuning.Apply"/> put in effect.</summary>
/// <param name="AllocatorTuned">glibc's malloc keeps freed blocks for reuse (Linux with glibc only).</param>
/// <param name="KernelCapability">The value of <c>ATEN_CPU_CAPABILITY</c> (null: libtorch's own detection).</param>
/// <param name="SwitchedOff">Nothing was changed because <c>CONVMIXER_CPU_TUNING=off</c>.</param>
public sealed record CpuTuningResult(bool AllocatorTuned, string? KernelCapability, bool SwitchedOff)
{
    /// <summary>One line for logs, e.g. "allocator: keeps freed memory; kernels: avx512".</summary>
    public override string ToString() =>
        $"allocator: {(AllocatorTuned ? "keeps freed memory" : "system default")}; kernels: {KernelCapability ?? "libtorch default"}"
        + (SwitchedOff ? " (CONVMIXER_CPU_TUNING=off)" : string.Empty);
}
