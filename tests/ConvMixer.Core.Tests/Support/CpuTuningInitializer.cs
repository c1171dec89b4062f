using System.Runtime.CompilerServices;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// Runs this test assembly with the settings apps get from <see cref="CpuTuning.Apply"/> (on an AVX-512 CPU, libtorch's
/// AVX-512 kernels), so the golden parity tests hold for them; the Vision and Training test assemblies run with
/// libtorch's defaults.
/// </summary>
internal static class CpuTuningInitializer
{
#pragma warning disable CA2255 // A test assembly is the process's entry point for this purpose: it must run before any tensor exists.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void ApplyBeforeTheFirstTensor() => CpuTuning.Apply();
}
