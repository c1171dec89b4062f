using System.Runtime.InteropServices;
using System.Text;

namespace ConvMixerNet.TestSupport;

/// <summary>What .NET's file APIs cannot make: FIFOs, files whose names are not UTF-8, and signals to a process.</summary>
public static class NativeFiles
{
    /// <summary>Creates a FIFO (named pipe) at <paramref name="path"/>; opening it for reading blocks until a writer comes.</summary>
    public static void CreateFifo(string path)
    {
        if (mkfifo(path, Convert.ToUInt32("644", 8)) != 0)
        {
            throw new IOException($"mkfifo {path} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>Creates a file in <paramref name="folder"/> whose name is <paramref name="nameBytes"/> (any bytes but '/' and NUL).</summary>
    public static void CreateFileWithRawName(string folder, byte[] nameBytes, byte[] content)
    {
        var path = Encoding.UTF8.GetBytes(folder + "/").Concat(nameBytes).Append((byte)0).ToArray();
        var fd = open(path, 0x41 /* O_WRONLY | O_CREAT */, Convert.ToUInt32("644", 8));
        if (fd < 0)
        {
            throw new IOException($"open failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (content.Length > 0 && write(fd, content, (nint)content.Length) != content.Length)
            {
                throw new IOException("write failed.");
            }
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>Creates a folder in <paramref name="parent"/> whose name is <paramref name="nameBytes"/>.</summary>
    public static void CreateFolderWithRawName(string parent, byte[] nameBytes)
    {
        var path = Encoding.UTF8.GetBytes(parent + "/").Concat(nameBytes).Append((byte)0).ToArray();
        if (mkdir(path, Convert.ToUInt32("755", 8)) != 0)
        {
            throw new IOException($"mkdir failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>Sends <paramref name="signal"/> (15 = SIGTERM, 2 = SIGINT) to process <paramref name="pid"/>.</summary>
    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new IOException($"kill {pid} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(byte[] path, int flags, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int mkdir(byte[] path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, byte[] buffer, nint count);

    [DllImport("libc")]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
