using System.Runtime.InteropServices;

namespace ConvMixerNet.Core.Tests;

/// <summary>The C library's environment, which libtorch reads (.NET keeps a copy of its own on Unix).</summary>
internal static class LibcEnvironment
{
    public static string? Get(string name) => Marshal.PtrToStringUTF8(getenv(name));

    [DllImport("libc")]
    private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
