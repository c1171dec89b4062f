using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ConvMixerNet.Serving;

/// <summary>
/// Reads an Open Inference Protocol request body (JSON, or JSON followed by binary tensor data when
/// <c>Inference-Header-Content-Length</c> is given) into model input, checking each field against the model.
/// Every problem becomes an <see cref="InferenceRequestException"/> that names it.
/// </summary>
internal static class InferenceRequestParser
{
    private static readonly string Inputs =
        $"'{ModelSignature.TensorInput}' (FP32 [N, C, H, W], preprocessed) or '{ModelSignature.ImageInput}' (BYTES [N], encoded image files)";

    /// <summary>Parses the body; <paramref name="jsonLength"/> is the JSON part's length when binary data follows it.</summary>
    public static InferenceRequest Parse(byte[] body, long? jsonLength, IClassificationModel model, int maxImages)
    {
        if (jsonLength is { } length && (length < 0 || length > body.Length))
        {
            throw new InferenceRequestException($"Inference-Header-Content-Length is {length}, but the body has {body.Length} bytes");
        }

        var json = jsonLength is { } n ? body.AsMemory(0, (int)n) : body.AsMemory();
        var binary = jsonLength is { } m ? body.AsMemory((int)m) : ReadOnlyMemory<byte>.Empty;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InferenceRequestException($"the request is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InferenceRequestException("the request must be a JSON object with 'inputs'");
            }

            var id = root.TryGetProperty("id", out var idElement) ? idElement.ValueKind == JsonValueKind.String ? idElement.GetString()
                : throw new InferenceRequestException("'id' must be a string") : null;
            // The outputs first: they are cheap to check, the input may need decoding.
            var outputs = ReadOutputs(root, model, Parameter(root, "binary_data_output") is { ValueKind: JsonValueKind.True });
            var (values, count) = ReadInput(root, binary, model, maxImages);
            return new InferenceRequest(id, values, count, outputs);
        }
    }

    private static (float[] Values, int Count) ReadInput(JsonElement root, ReadOnlyMemory<byte> binary, IClassificationModel model, int maxImages)
    {
        if (!root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
        {
            throw new InferenceRequestException($"the request has no 'inputs': send one input, {Inputs}");
        }

        if (inputs.GetArrayLength() > 1)
        {
            throw new InferenceRequestException($"the request has {inputs.GetArrayLength()} inputs; send one, {Inputs}");
        }

        var input = inputs[0];
        var name = String(input, "name", "the input");
        var datatype = String(input, "datatype", $"input '{name}'");
        var shape = Shape(input, name);
        var binarySize = Parameter(input, "binary_data_size") is { } size ? ReadSize(size, name) : (long?)null;
        if (binarySize is { } declared && declared != binary.Length)
        {
            throw new InferenceRequestException($"input '{name}' declares binary_data_size {declared}, but {binary.Length} bytes follow the JSON");
        }

        if (binarySize is null && binary.Length > 0)
        {
            throw new InferenceRequestException($"{binary.Length} bytes follow the JSON, but input '{name}' has no binary_data_size");
        }

        var data = binarySize is null ? Data(input, name) : default;
        return name switch
        {
            ModelSignature.TensorInput => ReadTensor(name, datatype, shape, data, binarySize is null ? (ReadOnlyMemory<byte>?)null : binary, model, maxImages),
            ModelSignature.ImageInput => ReadImages(input, name, datatype, shape, data, binarySize is null ? (ReadOnlyMemory<byte>?)null : binary, model, maxImages),
            _ => throw new InferenceRequestException($"unknown input '{name}': this model takes {Inputs}"),
        };
    }

    private static (float[] Values, int Count) ReadTensor(
        string name, string datatype, long[] shape, JsonElement data, ReadOnlyMemory<byte>? binary, IClassificationModel model, int maxImages)
    {
        if (datatype != "FP32")
        {
            throw new InferenceRequestException($"input '{name}' must have datatype FP32, not {datatype}");
        }

        var input = model.Description.Preprocessing;
        if (shape.Length != 4 || shape[1] != input.InChannels || shape[2] != input.InputSize || shape[3] != input.InputSize)
        {
            throw new InferenceRequestException(
                $"input '{name}' must have shape [N, {input.InChannels}, {input.InputSize}, {input.InputSize}], not [{string.Join(", ", shape)}]");
        }

        var count = BatchSize(shape[0], name, maxImages);
        var expected = (long)count * input.InChannels * input.InputSize * input.InputSize;
        if (binary is { } bytes)
        {
            if (bytes.Length != expected * sizeof(float))
            {
                throw new InferenceRequestException($"input '{name}' has {bytes.Length} bytes of binary data; shape [{string.Join(", ", shape)}] needs {expected * sizeof(float)}");
            }

            return (MemoryMarshal.Cast<byte, float>(bytes.Span).ToArray(), count);
        }

        var values = new float[expected];
        var index = 0L;
        foreach (var element in Flatten(data))
        {
            if (index >= expected)
            {
                throw new InferenceRequestException($"input '{name}' has more than the {expected} values shape [{string.Join(", ", shape)}] holds");
            }

            if (element.ValueKind != JsonValueKind.Number || !element.TryGetSingle(out var value))
            {
                throw new InferenceRequestException($"input '{name}': value {index} is not an FP32 number");
            }

            values[index++] = value;
        }

        if (index != expected)
        {
            throw new InferenceRequestException($"input '{name}' has {index} values; shape [{string.Join(", ", shape)}] holds {expected}");
        }

        return (values, count);
    }

    private static (float[] Values, int Count) ReadImages(
        JsonElement input, string name, string datatype, long[] shape, JsonElement data, ReadOnlyMemory<byte>? binary, IClassificationModel model, int maxImages)
    {
        if (datatype != "BYTES")
        {
            throw new InferenceRequestException($"input '{name}' must have datatype BYTES, not {datatype}");
        }

        if (shape.Length != 1)
        {
            throw new InferenceRequestException($"input '{name}' must have shape [N] (one encoded image file each), not [{string.Join(", ", shape)}]");
        }

        var count = BatchSize(shape[0], name, maxImages);
        var files = binary is { } bytes ? SplitBytes(bytes, name, count) : Base64Files(input, name, data, count);
        var preprocessing = model.Description.Preprocessing;
        var size = preprocessing.InChannels * preprocessing.InputSize * preprocessing.InputSize;
        var values = new float[(long)size * count];
        for (var i = 0; i < count; i++)
        {
            RgbImage image;
            try
            {
                image = model.Decode(files[i]);
            }
            catch (ImageDecodeException e)
            {
                throw new InferenceRequestException($"input '{name}' element {i} cannot be read as an image: {e.Reason}");
            }

            model.Preprocess(image).CopyTo(values.AsSpan(i * size, size));
        }

        return (values, count);
    }

    private static byte[][] Base64Files(JsonElement input, string name, JsonElement data, int count)
    {
        var contentType = Parameter(input, "content_type");
        if (contentType is not { ValueKind: JsonValueKind.String } || contentType.Value.GetString() != "base64")
        {
            throw new InferenceRequestException(
                $"input '{name}' in JSON must carry base64 strings and say so with \"parameters\": {{\"content_type\": \"base64\"}}, or be sent as binary data");
        }

        var files = new List<byte[]>(count);
        foreach (var element in Flatten(data))
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                throw new InferenceRequestException($"input '{name}' element {files.Count} is not a base64 string");
            }

            try
            {
                files.Add(Convert.FromBase64String(element.GetString()!));
            }
            catch (FormatException)
            {
                throw new InferenceRequestException($"input '{name}' element {files.Count} is not valid base64");
            }
        }

        return files.Count == count ? [.. files]
            : throw new InferenceRequestException($"input '{name}' has {files.Count} elements; shape [{count}] holds {count}");
    }

    // BYTES as binary data: each element is a 4-byte little-endian length and that many bytes.
    private static byte[][] SplitBytes(ReadOnlyMemory<byte> binary, string name, int count)
    {
        var span = binary.Span;
        var files = new byte[count][];
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            if (span.Length - offset < 4)
            {
                throw new InferenceRequestException($"input '{name}' binary data ends before element {i}'s length");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
            offset += 4;
            if (length > span.Length - offset)
            {
                throw new InferenceRequestException($"input '{name}' element {i} says {length} bytes, but only {span.Length - offset} remain");
            }

            files[i] = span.Slice(offset, (int)length).ToArray();
            offset += (int)length;
        }

        return offset == span.Length ? files
            : throw new InferenceRequestException($"input '{name}' has {span.Length - offset} bytes of binary data beyond its {count} elements");
    }

    private static List<RequestedOutput> ReadOutputs(JsonElement root, IClassificationModel model, bool binaryOutputs)
    {
        if (!root.TryGetProperty("outputs", out var outputs) || outputs.ValueKind == JsonValueKind.Null)
        {
            return [new(ModelSignature.Logits, null, binaryOutputs), new(ModelSignature.Probabilities, null, binaryOutputs)];
        }

        if (outputs.ValueKind != JsonValueKind.Array)
        {
            throw new InferenceRequestException("'outputs' must be a list of {\"name\": ...}");
        }

        var requested = new List<RequestedOutput>();
        foreach (var output in outputs.EnumerateArray())
        {
            var name = String(output, "name", "an output");
            if (name is not (ModelSignature.Logits or ModelSignature.Probabilities))
            {
                throw new InferenceRequestException($"unknown output '{name}': this model gives '{ModelSignature.Logits}' and '{ModelSignature.Probabilities}'");
            }

            int? classification = null;
            if (Parameter(output, "classification") is { } k)
            {
                if (k.ValueKind != JsonValueKind.Number || !k.TryGetInt32(out var top) || top < 1 || top > model.ClassCount)
                {
                    throw new InferenceRequestException($"output '{name}': classification must be a whole number from 1 to {model.ClassCount}");
                }

                classification = top;
            }

            var binary = Parameter(output, "binary_data") is { } flag ? flag.ValueKind == JsonValueKind.True : binaryOutputs;
            requested.Add(new(name, classification, binary));
        }

        return requested.Count > 0 ? requested
            : [new(ModelSignature.Logits, null, binaryOutputs), new(ModelSignature.Probabilities, null, binaryOutputs)];
    }

    private static int BatchSize(long n, string name, int maxImages) => n >= 1 && n <= maxImages ? (int)n
        : throw new InferenceRequestException($"input '{name}' has batch size {n}; this server takes 1 to {maxImages} images per request");

    private static string String(JsonElement element, string property, string what) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InferenceRequestException($"{what} has no '{property}' string");

    private static long[] Shape(JsonElement input, string name)
    {
        if (!input.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
        {
            throw new InferenceRequestException($"input '{name}' has no 'shape' list");
        }

        return shape.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var v) ? v
            : throw new InferenceRequestException($"input '{name}': the shape must be whole numbers")).ToArray();
    }

    private static JsonElement Data(JsonElement input, string name) =>
        input.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array ? data
            : throw new InferenceRequestException($"input '{name}' has no 'data' list (or binary_data_size with binary data after the JSON)");

    private static long ReadSize(JsonElement size, string name) => size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var n) && n >= 0 ? n
        : throw new InferenceRequestException($"input '{name}': binary_data_size must be a whole number of bytes");

    private static JsonElement? Parameter(JsonElement element, string name) =>
        element.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value)
            ? value : null;

    // The protocol allows the data flat or nested as the shape; either is read in row-major order.
    private static IEnumerable<JsonElement> Flatten(JsonElement data)
    {
        foreach (var element in data.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var inner in Flatten(element))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return element;
            }
        }
    }
}
