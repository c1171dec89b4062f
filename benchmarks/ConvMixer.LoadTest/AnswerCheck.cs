using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ConvMixerNet.LoadTest;

/// <summary>Reads a successful answer under its protocol and checks it against the <see cref="AnswerBook"/>.</summary>
internal static class AnswerCheck
{
    /// <summary>Null when the answer agrees; otherwise what is wrong with it.</summary>
    public static string? Problem(PreparedRequest request, byte[] body, int? jsonLength, AnswerBook answers)
    {
        try
        {
            using var document = JsonDocument.Parse(body.AsMemory(0, jsonLength ?? body.Length));
            var root = document.RootElement;
            if (request.Protocol == Protocol.V1)
            {
                return answers.Agrees(request.Image, root.GetProperty("predictions")) ? null : "the predictions differ from the expected answer";
            }

            var id = Path.GetFileName(request.Image);
            if (!root.TryGetProperty("id", out var echoed) || echoed.GetString() != id)
            {
                return $"the answer does not echo the request's id '{id}'";
            }

            var probabilities = Probabilities(root, jsonLength is { } n ? body.AsMemory(n) : ReadOnlyMemory<byte>.Empty);
            return answers.AgreesWithProbabilities(request.Image, probabilities) ? null : "the probabilities differ from /v1's answer for this image";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return $"the answer cannot be read: {e.Message}";
        }
    }

    /// <summary>A body as text for the console: the JSON, and how many binary bytes follow it.</summary>
    public static string Describe(byte[] body, int? jsonLength) => jsonLength is { } n && n >= 0 && n <= body.Length
        ? $"{Encoding.UTF8.GetString(body, 0, n)} + {body.Length - n} bytes of binary data"
        : Encoding.UTF8.GetString(body);

    /// <summary>The response's Inference-Header-Content-Length, when it has one.</summary>
    public static int? JsonLength(HttpResponseMessage response) =>
        response.Headers.TryGetValues(PreparedRequest.HeaderLength, out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    // The one row of the FP32 [1, classes] output "probabilities", from its JSON data or the binary data after the JSON.
    private static float[] Probabilities(JsonElement root, ReadOnlyMemory<byte> binary)
    {
        var outputs = root.GetProperty("outputs").EnumerateArray().ToArray();
        if (outputs is not [var output] || output.GetProperty("name").GetString() != "probabilities" || output.GetProperty("datatype").GetString() != "FP32")
        {
            throw new InvalidOperationException("expected one output, FP32 'probabilities'");
        }

        var shape = output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        if (shape is not [1, > 0])
        {
            throw new InvalidOperationException($"'probabilities' has shape [{string.Join(", ", shape)}], not [1, classes]");
        }

        if (output.TryGetProperty("data", out var data))
        {
            var values = data.EnumerateArray().Select(v => v.GetSingle()).ToArray();
            return values.Length == shape[1] ? values : throw new InvalidOperationException($"'probabilities' has {values.Length} values, not {shape[1]}");
        }

        var size = output.GetProperty("parameters").GetProperty("binary_data_size").GetInt64();
        if (size != shape[1] * sizeof(float) || size != binary.Length)
        {
            throw new InvalidOperationException($"'probabilities' has binary_data_size {size} and {binary.Length} bytes follow the JSON; [1, {shape[1]}] needs {shape[1] * sizeof(float)}");
        }

        var row = new float[shape[1]];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = BinaryPrimitives.ReadSingleLittleEndian(binary.Span[(i * sizeof(float))..]);
        }

        return row;
    }
}
