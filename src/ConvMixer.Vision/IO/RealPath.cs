using System.Runtime.InteropServices;

namespace ConvMixerNet.Vision;

/// <summary>
/// The canonical path of a file or folder: absolute, with every symbolic link, <c>.</c> and <c>..</c> resolved, so two
/// paths name the same entry exactly when their real paths are equal. Folder scans use it to follow each folder once.
/// </summary>
internal static partial class RealPath
{
    /// <summary>The real path of <paramref name="path"/>, or null when it cannot be resolved (a broken link, no permission).</summary>
    public static string? Of(string path)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var resolved = realpath(path, IntPtr.Zero);
            if (resolved == IntPtr.Zero)
            {
                return null;
            }

            try
            {
                return Marshal.PtrToStringUTF8(resolved);
            }
            finally
            {
                free(resolved);
            }
        }

        try
        {
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            return Path.GetFullPath((info.ResolveLinkTarget(returnFinalTarget: true) ?? info).FullName);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies under it (both real paths).</summary>
    public static bool IsWithin(string path, string folder) =>
        path == folder || path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void free(IntPtr pointer);
}
