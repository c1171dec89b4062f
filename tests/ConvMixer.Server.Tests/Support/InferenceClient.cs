using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConvMixerNet.Server.Tests;

/// <summary>Builds Open Inference Protocol requests as JSON or with Triton's binary tensor data, and reads the answers.</summary>
internal static class InferenceClient
{
    public const string HeaderLength = "Inference-Header-Content-Length";

    public static StringContent Json(JsonNode request) => new(request.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>The JSON header followed by binary data, its length in Inference-Header-Content-Length.</summary>
    public static ByteArrayContent WithBinary(JsonNode header, byte[] binary)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var content = new ByteArrayContent([.. json, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(HeaderLength, json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return content;
    }

    public static byte[] FloatBytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>BYTES elements as binary data: a 4-byte little-endian length before each.</summary>
    public static byte[] LengthPrefixed(IEnumerable<byte[]> elements)
    {
        var buffer = new List<byte>();
        foreach (var element in elements)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)element.Length);
            buffer.AddRange(length);
            buffer.AddRange(element);
        }

        return [.. buffer];
    }

    /// <summary>The answer's JSON and, per output name, its binary data (when the answer has any).</summary>
    public static async Task<(JsonElement Json, Dictionary<string, byte[]> Binary)> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        var binary = new Dictionary<string, byte[]>();
        if (!response.Headers.TryGetValues(HeaderLength, out var values))
        {
            return (JsonDocument.Parse(body).RootElement.Clone(), binary);
        }

        var jsonLength = int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture);
        var json = JsonDocument.Parse(body.AsMemory(0, jsonLength)).RootElement.Clone();
        var offset = jsonLength;
        foreach (var output in json.GetProperty("outputs").EnumerateArray())
        {
            if (output.TryGetProperty("parameters", out var parameters) && parameters.TryGetProperty("binary_data_size", out var size))
            {
                binary[output.GetProperty("name").GetString()!] = body[offset..(offset + size.GetInt32())];
                offset += size.GetInt32();
            }
        }

        return offset == body.Length ? (json, binary) : throw new InvalidDataException($"{body.Length - offset} bytes after the declared binary outputs");
    }

    public static float[] Floats(JsonElement output) => output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();

    public static JsonElement Output(JsonElement answer, string name) =>
        answer.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == name);
}
