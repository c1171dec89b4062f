using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ConvMixerNet.Core;

/// <summary>
/// What a path names, following symbolic links: a regular file, a folder, or something else (a device such as
/// <c>/dev/zero</c>, a FIFO that would block a reader forever, a socket). .NET's file APIs cannot tell these apart on
/// Unix, so this asks the C library's <c>stat</c>.
/// </summary>
public static partial class FileKind
{
    private const uint TypeMask = 0xF000; // S_IFMT
    private const uint RegularType = 0x8000; // S_IFREG
    private const uint DirectoryType = 0x4000; // S_IFDIR

    /// <summary>True when <paramref name="path"/> exists and is (or links to) a regular file.</summary>
    public static bool IsRegularFile(string path) => Type(path) is { } type ? type == RegularType : File.Exists(path);

    /// <summary>True when <paramref name="path"/> exists but is neither a regular file nor a folder.</summary>
    public static bool IsSpecial(string path) => Type(path) is { } type && type != RegularType && type != DirectoryType;

    /// <summary>Throws an <see cref="IOException"/> unless <paramref name="path"/> is a regular file.</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public static void RequireRegularFile(string path, string what)
    {
        if (IsSpecial(path))
        {
            throw new IOException($"The {what} '{path}' is not a regular file (a device, FIFO or socket).");
        }

        if (!File.Exists(path))
        {
            throw Directory.Exists(path)
                ? new IOException($"The {what} '{path}' is a folder, not a file.")
                : new FileNotFoundException($"The {what} '{path}' does not exist.", path);
        }
    }

    // st_mode of struct stat, or null where it cannot be read (not Linux, or the path does not exist).
    private static uint? Type(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // glibc's struct stat: st_mode is at byte 24 on x86-64 and at byte 16 on arm64 (both little-endian).
        var modeOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };
        if (modeOffset < 0)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[256];
        return stat(path, ref MemoryMarshal.GetReference(buffer)) == 0
            ? BinaryPrimitives.ReadUInt32LittleEndian(buffer[modeOffset..]) & TypeMask
            : null;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int stat(string path, ref byte buffer);
}
