using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// TorchSharp's own format (<c>Module.save</c>): a LEB128 entry count, then for each entry a length-prefixed UTF-8 key,
/// the LEB128 dtype, rank and sizes, and the raw bytes. It has no magic number and no metadata.
/// </summary>
/// <remarks>
/// The whole file is walked first without allocating tensors (TorchSharp's reader allocates from the sizes it reads),
/// then TorchSharp reads the tensors.
/// </remarks>
internal static class TorchSharpCheckpointFile
{
    private const long MaxEntries = 1_000_000;
    private const int MaxKeyBytes = 4096;
    private const int MaxRank = 8;

    private static readonly Dictionary<ScalarType, int> ElementSizes = new()
    {
        [ScalarType.Byte] = 1,
        [ScalarType.Int8] = 1,
        [ScalarType.Bool] = 1,
        [ScalarType.Int16] = 2,
        [ScalarType.Float16] = 2,
        [ScalarType.BFloat16] = 2,
        [ScalarType.Int32] = 4,
        [ScalarType.Float32] = 4,
        [ScalarType.Int64] = 8,
        [ScalarType.Float64] = 8,
        [ScalarType.ComplexFloat32] = 8,
        [ScalarType.ComplexFloat64] = 16,
    };

    /// <summary>A cheap guess from the first bytes: a plausible entry count followed by a printable first key.</summary>
    public static bool LooksLike(ReadOnlySpan<byte> head)
    {
        var reader = new SpanReader(head);
        if (!reader.TryLeb128(out var count) || count is < 1 or > MaxEntries
            || !reader.TryLeb128(out var keyLength) || keyLength is < 1 or > MaxKeyBytes)
        {
            return false;
        }

        var available = Math.Min((int)keyLength, head.Length - reader.Position);
        if (available <= 0)
        {
            return false;
        }

        foreach (var b in head.Slice(reader.Position, available))
        {
            if (b is < 0x20 or > 0x7e)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads the state dict that starts at the stream's position (the start of a file, or inside a training checkpoint).</summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="stream">Positioned at the state dict.</param>
    /// <param name="moreFollows">True inside a container whose own data follows the state dict.</param>
    public static Dictionary<string, Tensor> Read(string path, Stream stream, bool moreFollows = false)
    {
        var start = stream.Position;
        var count = Validate(path, stream, moreFollows);
        stream.Position = start;
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        ReadLeb128(reader);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            for (long i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                tensors[key] = TensorExtensionMethods.Load(reader);
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return tensors;
    }

    public static void Write(Stream stream, Dictionary<string, Tensor> stateDict)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        nn.Module.save_state_dict(writer, stateDict);
        writer.Flush();
    }

    private static long Validate(string path, Stream stream, bool moreFollows)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var length = stream.Length;
        try
        {
            var count = ReadLeb128(reader);
            if (count is < 0 or > MaxEntries)
            {
                throw new InvalidCheckpointException(path, $"it claims {count} tensors, which no ConvMixer has.");
            }

            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (long i = 0; i < count; i++)
            {
                var key = ReadKey(path, reader);
                if (!keys.Add(key))
                {
                    throw new InvalidCheckpointException(path, $"it lists '{key}' twice.");
                }

                var rawType = ReadLeb128(reader);
                if (rawType is < 0 or > 127 || !ElementSizes.TryGetValue((ScalarType)(sbyte)rawType, out var size))
                {
                    throw new InvalidCheckpointException(path, $"tensor '{key}' has an unknown dtype code {rawType}.");
                }

                var rank = ReadLeb128(reader);
                if (rank is < 0 or > MaxRank)
                {
                    throw new InvalidCheckpointException(path, $"tensor '{key}' claims rank {rank}.");
                }

                long bytes = size;
                var remaining = length - stream.Position;
                for (var d = 0; d < rank; d++)
                {
                    var n = ReadLeb128(reader);
                    if (n < 0)
                    {
                        throw new InvalidCheckpointException(path, $"tensor '{key}' has a negative size.");
                    }

                    bytes = n == 0 ? 0 : (bytes > remaining / n ? long.MaxValue : bytes * n);
                }

                remaining = length - stream.Position;
                if (bytes > remaining)
                {
                    throw new InvalidCheckpointException(path,
                        $"tensor '{key}' needs {(bytes == long.MaxValue ? "more than the file's" : bytes.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes, but only {remaining} remain (the file is truncated or corrupt).");
                }

                stream.Seek(bytes, SeekOrigin.Current);
            }

            if (!moreFollows && stream.Position != length)
            {
                throw new InvalidCheckpointException(path, $"{length - stream.Position} bytes follow the last tensor (the file is corrupt or not a TorchSharp state dict).");
            }

            return count;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidCheckpointException(path, "it ends in the middle of an entry (the file is truncated).", e);
        }
    }

    private static string ReadKey(string path, BinaryReader reader)
    {
        // BinaryReader's own length prefix (7-bit encoded), read here so a huge claimed length is refused up front.
        var byteLength = ReadLeb128(reader);
        if (byteLength is < 1 or > MaxKeyBytes)
        {
            throw new InvalidCheckpointException(path, $"a key claims {byteLength} bytes.");
        }

        var bytes = reader.ReadBytes((int)byteLength);
        if (bytes.Length != byteLength)
        {
            throw new EndOfStreamException();
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static long ReadLeb128(BinaryReader reader)
    {
        long value = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            var b = reader.ReadByte();
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        return -1; // more than 9 bytes: not a value TorchSharp writes
    }

    private ref struct SpanReader(ReadOnlySpan<byte> span)
    {
        private readonly ReadOnlySpan<byte> _span = span;

        public int Position { get; private set; }

        public bool TryLeb128(out long value)
        {
            value = 0;
            for (var shift = 0; shift < 63 && Position < _span.Length; shift += 7)
            {
                var b = _span[Position++];
                value |= (long)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
