using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FluentAssertions;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Cli.Tests;

/// <summary>
/// Reads files the tool wrote byte by byte from the formats' own layouts, not through the library's reader (which tells
/// formats apart by content, so it would read a copied file of the wrong format just as well).
/// </summary>
internal static class WrittenCheckpoint
{
    private static readonly Dictionary<ScalarType, string> SafetensorsDTypes = new()
    {
        [ScalarType.Float32] = "F32",
        [ScalarType.Int64] = "I64",
    };

    /// <summary>The state dict of a <c>torch.save</c> zip, as PyTorch wrote it.</summary>
    public static Dictionary<string, Tensor> ReadPyTorch(string path)
    {
        using var stream = File.OpenRead(path);
        var table = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(stream);
        return table.Keys.Cast<string>().ToDictionary(k => k, k => (Tensor)table[k]!);
    }

    /// <summary>
    /// Asserts a safetensors file: an 8-byte little-endian header length, a space-padded JSON header starting with
    /// '{' that lists exactly <paramref name="expected"/>'s tensors (dtype, shape, data offsets) and holds
    /// <paramref name="metadata"/>, and the tensors' bytes at those offsets.
    /// </summary>
    public static void ShouldBeSafetensorsOf(string path, IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, string> metadata)
    {
        var bytes = File.ReadAllBytes(path);
        bytes.Length.Should().BeGreaterThan(9, path);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        headerLength.Should().BeLessThan((ulong)bytes.Length - 8, "the header length comes first");
        bytes[8].Should().Be((byte)'{', "the JSON header follows the length");
        (headerLength % 8).Should().Be(0, "the header is padded so the tensor data stays aligned");
        var dataStart = 8 + (int)headerLength;
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));

        var entries = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToDictionary(p => p.Name, p => p.Value);
        entries.Keys.Should().BeEquivalentTo(expected.Keys);
        var covered = 0L;
        foreach (var (key, tensor) in expected)
        {
            var entry = entries[key];
            entry.GetProperty("dtype").GetString().Should().Be(SafetensorsDTypes[tensor.dtype], key);
            entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).Should().Equal(tensor.shape, key);
            var begin = entry.GetProperty("data_offsets")[0].GetInt64();
            var end = entry.GetProperty("data_offsets")[1].GetInt64();
            bytes.AsSpan(dataStart + (int)begin, (int)(end - begin)).ToArray().Should().Equal(RawBytes(tensor), $"'{key}' holds the source's values");
            covered += end - begin;
        }

        covered.Should().Be(bytes.Length - dataStart, "the data section holds the tensors and nothing else");
        var written = header.RootElement.GetProperty("__metadata__").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        written.Should().Contain(metadata);
    }

    /// <summary>The model description stored under <c>config</c> in a safetensors file's <c>__metadata__</c>.</summary>
    public static JsonElement SafetensorsConfig(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var config = header.RootElement.GetProperty("__metadata__").GetProperty("config").GetString()!;
        return JsonDocument.Parse(config).RootElement.Clone();
    }

    /// <summary>
    /// Asserts TorchSharp's <c>Module.save</c> format: a LEB128 entry count, then per entry a length-prefixed UTF-8 key,
    /// the LEB128 dtype, rank and sizes and the raw bytes, ending with the last entry; exactly <paramref name="expected"/>'s tensors.
    /// </summary>
    public static void ShouldBeTorchSharpOf(string path, IReadOnlyDictionary<string, Tensor> expected)
    {
        var bytes = File.ReadAllBytes(path);
        bytes.AsSpan(0, 4).SequenceEqual("PK\u0003\u0004"u8).Should().BeFalse("a TorchSharp file is not a zip");
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        ReadLeb128(reader).Should().Be(expected.Count, "the file starts with the number of entries");
        var seen = new HashSet<string>();
        for (var i = 0; i < expected.Count; i++)
        {
            var key = reader.ReadString();
            seen.Add(key).Should().BeTrue($"'{key}' appears once");
            expected.Should().ContainKey(key);
            var tensor = expected[key];
            ((ScalarType)ReadLeb128(reader)).Should().Be(tensor.dtype, key);
            var rank = ReadLeb128(reader);
            Enumerable.Range(0, (int)rank).Select(_ => ReadLeb128(reader)).Should().Equal(tensor.shape, key);
            reader.ReadBytes((int)(tensor.NumberOfElements * tensor.ElementSize)).Should().Equal(RawBytes(tensor), $"'{key}' holds the source's values");
        }

        reader.BaseStream.Position.Should().Be(bytes.Length, "the file ends after the last entry");
    }

    private static byte[] RawBytes(Tensor tensor)
    {
        using var contiguous = tensor.cpu().contiguous();
        return contiguous.bytes.ToArray();
    }

    private static long ReadLeb128(BinaryReader reader)
    {
        long value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = reader.ReadByte();
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
