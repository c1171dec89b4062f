using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace ConvMixerNet.Core.Tests;

/// <summary>The SHA-256 digests the fixture tools record for the files they checked (tools/timm, tools/checkpoints).</summary>
internal static class FileHashes
{
    /// <summary>SHA-256 of the file's bytes, lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// SHA-256 of a <c>.pth</c> (zip) file's entries in archive order: each name, a zero byte, the length (8 bytes,
    /// little-endian) and the contents. The zip's timestamps change with every write; the entries do not. The tools'
    /// <c>zip_entries_sha256</c> computes the same.
    /// </summary>
    public static string ZipEntriesSha256(string path)
    {
        using var archive = ZipFile.OpenRead(path);
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var entry in archive.Entries)
        {
            using var contents = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(contents);
            }

            digest.AppendData(Encoding.UTF8.GetBytes(entry.FullName));
            digest.AppendData([0]);
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)contents.Length);
            digest.AppendData(length);
            digest.AppendData(contents.GetBuffer().AsSpan(0, (int)contents.Length));
        }

        return Convert.ToHexStringLower(digest.GetHashAndReset());
    }
}
