using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvMixerNet.Training;

/// <summary>
/// Reads IDX files of unsigned bytes, the format of MNIST and Fashion-MNIST, raw or gzip-compressed (recognised by
/// content, not by name).
/// </summary>
/// <remarks>
/// Layout: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, each dimension as a
/// big-endian 32-bit integer, then the values.
/// </remarks>
public static class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads the dimensions and the values of an IDX file of unsigned bytes.</summary>
    /// <exception cref="IdxFormatException">Wrong magic number, unsupported value type, or a size that does not match the header.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static (int[] Dimensions, byte[] Values) Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        }

        byte[] content;
        try
        {
            content = IsGzip(path) ? Decompress(path) : File.ReadAllBytes(path);
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(path, $"the gzip data is corrupt ({e.Message}).", e);
        }

        return Parse(path, content);
    }

    private static (int[] Dimensions, byte[] Values) Parse(string path, byte[] content)
    {
        if (content.Length < 4)
        {
            throw new IdxFormatException(path, $"it has {content.Length} bytes, fewer than the 4-byte magic number.");
        }

        if (content[0] != 0 || content[1] != 0)
        {
            throw new IdxFormatException(path, $"the magic number starts with 0x{content[0]:X2} 0x{content[1]:X2} instead of 0x00 0x00.");
        }

        if (content[2] != UnsignedByteType)
        {
            throw new IdxFormatException(path, $"its value type is 0x{content[2]:X2}; only unsigned bytes (0x08) are supported.");
        }

        int rank = content[3];
        var headerLength = 4 + (4 * rank);
        if (rank == 0 || content.Length < headerLength)
        {
            throw new IdxFormatException(path, $"the header declares {rank} dimensions but the file is too short to hold them ({content.Length} bytes).");
        }

        var dimensions = new int[rank];
        long expected = 1;
        for (var i = 0; i < rank; i++)
        {
            var size = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4 + (4 * i), 4));
            if (size < 0)
            {
                throw new IdxFormatException(path, $"dimension {i} has a negative size ({size}).");
            }

            dimensions[i] = size;
            expected *= size;
        }

        var actual = content.LongLength - headerLength;
        if (actual != expected)
        {
            var shape = string.Join(" x ", dimensions);
            throw new IdxFormatException(path, $"the header declares {shape} = {expected} values, but the file holds {actual} ({(actual < expected ? "truncated" : "trailing data")}).");
        }

        return (dimensions, content.AsSpan(headerLength).ToArray());
    }

    private static bool IsGzip(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    private static byte[] Decompress(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return buffer.ToArray();
    }
}
