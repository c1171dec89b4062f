using System.Runtime.InteropServices;
using TorchSharp;

namespace ConvMixerNet.Core;

/// <summary>
/// Makes sure TorchSharp's native libraries are loaded before the first model is built, and turns
/// TorchSharp's generic loading failure into a message that states the likely cause and the fix.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads libtorch for the CPU, or throws a <see cref="TorchRuntimeException"/> explaining why it cannot.</summary>
    public static void EnsureLoaded()
    {
        if (LoadFailure.Value is { } failure)
        {
            throw new TorchRuntimeException(Explain(failure), failure);
        }
    }

    /// <summary>Used in module constructors' <c>base(...)</c> calls so the check runs before TorchSharp is first touched.</summary>
    internal static string LoadedFor(string moduleName)
    {
        EnsureLoaded();
        return moduleName;
    }

    private static Exception? TryLoad()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e;
        }
    }

    internal static string Explain(Exception failure)
    {
        var text = "TorchSharp's native libraries could not be loaded, so no ConvMixer can run. ";
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && !SystemLibStdCxxHas("GLIBCXX_3.4.32"))
        {
            text += "This system's libstdc++ is older than GCC 13 (it lacks GLIBCXX_3.4.32, as on Debian 12 and Ubuntu 22.04), "
                + "and TorchSharp 0.107's libLibTorchSharp.so asks for it. ConvMixer.Core's build step marks that requirement weak "
                + "in the copy in your output folder: make sure the property ConvMixerPatchLibTorchSharp is not set to false, "
                + "rebuild (or republish), and check the build log for 'ConvMixer.Core: marked GLIBCXX_3.4.32 weak'. ";
        }

        text += "Also check that your app references a libtorch backend package matching TorchSharp 0.107.0: "
            + "libtorch-cpu-linux-x64 2.10.0 or TorchSharp-cpu 0.107.0 for the CPU, TorchSharp-cuda-linux 0.107.0 for CUDA. "
            + $"TorchSharp said: {failure.Message}";
        return text;
    }

    private static bool SystemLibStdCxxHas(string version)
    {
        string[] candidates =
        [
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        ];
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            return true; // Unknown layout: do not guess about the cause.
        }

        var needle = System.Text.Encoding.ASCII.GetBytes(version + "\0");
        return File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;
    }
}
