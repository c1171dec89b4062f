using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// The <c>.safetensors</c> format: an 8-byte little-endian header length, a JSON header (tensor dtypes, shapes and byte
/// ranges, plus optional string metadata under <c>__metadata__</c>), then the raw tensor bytes.
/// </summary>
/// <remarks>
/// Reading validates the whole header first (size, JSON, dtypes, shapes against byte ranges, ranges inside the file),
/// because PyBridge allocates each tensor from the header's shape before reading it. Writing is done here because
/// PyBridge's writer cannot store metadata, which carries the hyperparameters.
/// </remarks>
internal static class SafetensorsFile
{
    /// <summary>The format's own limit on the header (the reference implementation refuses larger ones).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    public static (Dictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path, Stream stream)
    {
        var metadata = ReadAndValidateHeader(path, stream);
        stream.Position = 0;
        var tensors = Safetensors.LoadStateDict(stream, leaveOpen: true);
        return (tensors, metadata);
    }

    /// <summary>Checks the header against the file and returns its metadata; allocates nothing but the header.</summary>
    public static IReadOnlyDictionary<string, string> ReadAndValidateHeader(string path, Stream stream)
    {
        var fileLength = stream.Length;
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
        {
            throw Invalid(path, "the file ends inside the 8-byte header length.");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)MaxHeaderBytes)
        {
            throw Invalid(path, $"the header claims {headerLength} bytes, more than the format's limit of {MaxHeaderBytes} bytes.");
        }

        if ((long)headerLength > fileLength - 8)
        {
            throw Invalid(path, $"the header claims {headerLength} bytes, but only {fileLength - 8} bytes follow (the file is truncated).");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataLength = fileLength - 8 - (long)headerLength;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"the header is not valid JSON ({e.Message}).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(path, "the header is not a JSON object.");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var ranges = new List<(long Begin, long End, string Key)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw Invalid(path, $"the header lists '{property.Name}' twice.");
                }

                if (property.Name == MetadataKey)
                {
                    ReadMetadata(path, property.Value, metadata);
                }
                else
                {
                    ranges.Add(ValidateEntry(path, property.Name, property.Value, dataLength));
                }
            }

            RejectOverlaps(path, ranges);
            return metadata;
        }
    }

    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            foreach (var (key, value) in metadata)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            long offset = 0;
            foreach (var (key, tensor) in tensors)
            {
                var length = tensor.NumberOfElements * tensor.ElementSize;
                json.WriteStartObject(key);
                json.WriteString("dtype", DTypes.First(d => d.Value.Type == tensor.dtype).Key);
                json.WriteStartArray("shape");
                foreach (var size in tensor.shape)
                {
                    json.WriteNumberValue(size);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }

            json.WriteEndObject();
        }

        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does, so tensor data stays aligned.
        while (header.Length % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
        stream.Write(lengthBytes);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (var (_, tensor) in tensors)
        {
            using var contiguous = tensor.cpu().contiguous();
            contiguous.WriteBytesToStream(stream, bufferSize: 1 << 16);
        }
    }

    public static bool CanStore(ScalarType type) => DTypes.Values.Any(d => d.Type == type);

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, "'__metadata__' is not a JSON object of strings.");
        }

        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(path, $"metadata '{item.Name}' is not a string.");
            }

            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    // Two tensors sharing bytes would alias each other once loaded; no writer produces that, so the header was edited.
    private static void RejectOverlaps(string path, List<(long Begin, long End, string Key)> ranges)
    {
        var sorted = ranges.Where(r => r.End > r.Begin).OrderBy(r => r.Begin).ThenBy(r => r.End).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Begin < sorted[i - 1].End)
            {
                throw Invalid(path,
                    $"tensors '{sorted[i - 1].Key}' (bytes [{sorted[i - 1].Begin}, {sorted[i - 1].End})) and '{sorted[i].Key}' (bytes [{sorted[i].Begin}, {sorted[i].End})) overlap in the data; each tensor must have its own bytes.");
            }
        }
    }

    private static (long Begin, long End, string Key) ValidateEntry(string path, string key, JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !entry.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw Invalid(path, $"the header entry of '{key}' lacks a dtype, a shape or two data_offsets.");
        }

        if (!DTypes.TryGetValue(dtype.GetString()!, out var type))
        {
            throw Invalid(path, $"tensor '{key}' has dtype '{dtype.GetString()}', which is not supported (supported: {string.Join(", ", DTypes.Keys)}).");
        }

        long bytes = type.Size;
        foreach (var size in shape.EnumerateArray())
        {
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var n) || n < 0)
            {
                throw Invalid(path, $"tensor '{key}' has an invalid shape {shape.GetRawText()}.");
            }

            // Any size larger than the file cannot be backed by it; checking as we go also rules out overflow.
            bytes = n == 0 ? 0 : (bytes > dataLength / n ? long.MaxValue : bytes * n);
        }

        var begin = offsets[0].TryGetInt64(out var b) ? b : -1;
        var end = offsets[1].TryGetInt64(out var e) ? e : -1;
        if (begin < 0 || end < begin || end > dataLength)
        {
            throw Invalid(path, $"tensor '{key}' claims bytes [{offsets[0].GetRawText()}, {offsets[1].GetRawText()}), outside the {dataLength} data bytes of the file (the file is truncated or corrupt).");
        }

        if (bytes != end - begin)
        {
            throw Invalid(path, $"tensor '{key}' of shape {shape.GetRawText()} and dtype {dtype.GetString()} needs {(bytes == long.MaxValue ? "more than the file's" : bytes.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes, but its byte range holds {end - begin}.");
        }

        return (begin, end, key);
    }

    private static InvalidCheckpointException Invalid(string path, string problem) => new(path, problem);
}
