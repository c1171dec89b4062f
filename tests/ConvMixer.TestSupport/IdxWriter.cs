using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvMixerNet.TestSupport;

/// <summary>Writes small IDX files (and broken variants) for the reader tests.</summary>
public static class IdxWriter
{
    public static byte[] Encode(int[] dimensions, byte[] values, byte type = 0x08)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + values.Length];
        bytes[2] = type;
        bytes[3] = (byte)dimensions.Length;
        for (var i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dimensions[i]);
        }

        values.CopyTo(bytes, 4 + (4 * dimensions.Length));
        return bytes;
    }

    public static void WriteGzip(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(content);
    }
}
