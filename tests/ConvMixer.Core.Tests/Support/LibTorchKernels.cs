using System.Runtime.InteropServices;
using TorchSharp;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// The CPU capability libtorch's dispatcher actually uses ("AVX512", "AVX2", "DEFAULT"), asked from libtorch itself:
/// <c>at::get_cpu_capability()</c>, which PyTorch exposes as <c>torch.backends.cpu.get_cpu_capability()</c>.
/// </summary>
internal static class LibTorchKernels
{
    // std::string at::get_cpu_capability() under libstdc++'s C++11 ABI (the 'cxx11' in the symbol): the caller passes
    // the 32-byte string to construct ({ char* data; size_t length; char buffer[16] }) and the names are short
    // enough to live in its inline buffer, so nothing is allocated that would need freeing.
    private const string Symbol = "_ZN2at18get_cpu_capabilityB5cxx11Ev";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GetCpuCapability(IntPtr result);

    public static string Current()
    {
        using (torch.zeros(1))
        {
            // Makes sure TorchSharp has loaded libtorch in this process.
        }

        var loaded = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[5]) == "libtorch_cpu.so").Select(f => f[5]).First();
        var library = NativeLibrary.Load(loaded);
        try
        {
            var call = Marshal.GetDelegateForFunctionPointer<GetCpuCapability>(NativeLibrary.GetExport(library, Symbol));
            var result = Marshal.AllocHGlobal(32);
            try
            {
                call(result);
                var data = Marshal.ReadIntPtr(result);
                var length = Marshal.ReadInt64(result, 8);
                if (data != result + 16)
                {
                    throw new InvalidOperationException($"libtorch returned a {length}-character capability outside the inline buffer.");
                }

                return Marshal.PtrToStringUTF8(data, (int)length);
            }
            finally
            {
                Marshal.FreeHGlobal(result);
            }
        }
        finally
        {
            NativeLibrary.Free(library);
        }
    }
}
