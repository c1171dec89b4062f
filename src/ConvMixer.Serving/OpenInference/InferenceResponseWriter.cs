using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ConvMixerNet.Serving;

/// <summary>
/// Writes an Open Inference Protocol answer: each output as JSON data, or, when asked, as binary data after the JSON
/// (Triton's binary tensor data extension; the JSON's length is then in <c>Inference-Header-Content-Length</c>).
/// </summary>
internal static class InferenceResponseWriter
{
    /// <summary>The answer's body and, when binary data follows the JSON, the JSON's length.</summary>
    public static (byte[] Body, int? JsonLength) Write(
        string modelName, InferenceRequest request, float[] logits, IReadOnlyList<string> labels)
    {
        var classes = labels.Count;
        var probabilities = request.Outputs.Any(o => o.Name == ModelSignature.Probabilities) ? Softmax(logits, classes) : null;
        var binaryParts = new List<byte[]>();
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("model_name", modelName);
            writer.WriteString("model_version", ModelSignature.Version);
            if (request.Id is not null)
            {
                writer.WriteString("id", request.Id);
            }

            writer.WriteStartArray("outputs");
            foreach (var output in request.Outputs)
            {
                var values = output.Name == ModelSignature.Logits ? logits : probabilities!;
                writer.WriteStartObject();
                writer.WriteString("name", output.Name);
                byte[]? binary = null;
                if (output.Classification is { } k)
                {
                    var strings = Classify(values, classes, k, labels);
                    writer.WriteString("datatype", "BYTES");
                    WriteShape(writer, request.Count, k);
                    binary = output.Binary ? Bytes(strings) : null;
                    WriteDataOrSize(writer, binary, w => strings.ForEach(w.WriteStringValue));
                }
                else
                {
                    writer.WriteString("datatype", "FP32");
                    WriteShape(writer, request.Count, classes);
                    binary = output.Binary ? MemoryMarshal.AsBytes(values.AsSpan()).ToArray() : null;
                    WriteDataOrSize(writer, binary, w => Array.ForEach(values, w.WriteNumberValue));
                }

                if (binary is not null)
                {
                    binaryParts.Add(binary);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        if (binaryParts.Count == 0)
        {
            return (json.ToArray(), null);
        }

        var jsonLength = (int)json.Length;
        foreach (var part in binaryParts)
        {
            json.Write(part);
        }

        return (json.ToArray(), jsonLength);
    }

    /// <summary>Softmax per row, in double so the probabilities match the library's to float precision.</summary>
    public static float[] Softmax(float[] logits, int classes)
    {
        var probabilities = new float[logits.Length];
        for (var row = 0; row < logits.Length / classes; row++)
        {
            var span = logits.AsSpan(row * classes, classes);
            double max = span[0];
            foreach (var v in span)
            {
                max = Math.Max(max, v);
            }

            var sum = 0.0;
            foreach (var v in span)
            {
                sum += Math.Exp(v - max);
            }

            for (var c = 0; c < classes; c++)
            {
                probabilities[(row * classes) + c] = (float)(Math.Exp(span[c] - max) / sum);
            }
        }

        return probabilities;
    }

    // Triton's classification extension: the K highest values per row, "value:index:label", highest first.
    private static List<string> Classify(float[] values, int classes, int k, IReadOnlyList<string> labels)
    {
        var strings = new List<string>(values.Length / classes * k);
        for (var row = 0; row < values.Length / classes; row++)
        {
            var offset = row * classes;
            foreach (var index in Enumerable.Range(0, classes).OrderByDescending(c => values[offset + c]).ThenBy(c => c).Take(k))
            {
                strings.Add(string.Create(CultureInfo.InvariantCulture, $"{values[offset + index]:R}:{index}:{labels[index]}"));
            }
        }

        return strings;
    }

    private static void WriteShape(Utf8JsonWriter writer, int rows, int columns)
    {
        writer.WriteStartArray("shape");
        writer.WriteNumberValue(rows);
        writer.WriteNumberValue(columns);
        writer.WriteEndArray();
    }

    private static void WriteDataOrSize(Utf8JsonWriter writer, byte[]? binary, Action<Utf8JsonWriter> writeData)
    {
        if (binary is not null)
        {
            writer.WriteStartObject("parameters");
            writer.WriteNumber("binary_data_size", binary.Length);
            writer.WriteEndObject();
            return;
        }

        writer.WriteStartArray("data");
        writeData(writer);
        writer.WriteEndArray();
    }

    // BYTES as binary data: each element is a 4-byte little-endian length and its UTF-8 bytes.
    private static byte[] Bytes(List<string> strings)
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var text in strings)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return buffer.ToArray();
    }
}
