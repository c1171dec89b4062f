using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace ConvMixerNet.Cli.Tests;

/// <summary>Sets how much a pipe holds before its writer blocks (Linux <c>F_SETPIPE_SZ</c>).</summary>
internal static class PipeCapacity
{
    private const int SetPipeSize = 1031; // F_SETPIPE_SZ

    /// <summary>
    /// Shrinks the pipe behind <paramref name="stream"/> (a redirected stream of a started process) to one page, the
    /// least Linux allows, and returns its capacity in bytes.
    /// </summary>
    public static int ShrinkToOnePage(Stream stream)
    {
        var handle = ((PipeStream)stream).SafePipeHandle;
        var capacity = fcntl((int)handle.DangerousGetHandle(), SetPipeSize, Environment.SystemPageSize);
        return capacity > 0 ? capacity : throw new IOException($"fcntl(F_SETPIPE_SZ) failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int cmd, int arg);
}
