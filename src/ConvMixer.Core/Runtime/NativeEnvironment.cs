using System.Runtime.InteropServices;

namespace ConvMixerNet.Core;

/// <summary>
/// The C library's environment. On Unix, .NET keeps its own copy of the environment, so
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> is invisible to native code such as libtorch.
/// </summary>
internal static partial class NativeEnvironment
{
    public static string? Get(string name) => Marshal.PtrToStringUTF8(getenv(name));

    /// <summary>Sets <paramref name="name"/> without overwriting an existing value.</summary>
    public static void Set(string name, string value)
    {
        if (setenv(name, value, overwrite: 0) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed with error {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Sets or replaces <paramref name="name"/>; for tests that restore a previous value.</summary>
    public static void Replace(string name, string? value)
    {
        var result = value is null ? unsetenv(name) : setenv(name, value, overwrite: 1);
        if (result != 0)
        {
            throw new InvalidOperationException($"Changing {name} in the native environment failed with error {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int unsetenv(string name);
}
