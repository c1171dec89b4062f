using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ConvMixerNet.LoadTest;

/// <summary>
/// One image's request under one protocol, its body built once before the runs so they measure the server, not the
/// client's preprocessing or serialisation. Every /v2 request asks for <c>probabilities</c> only, the numbers /v1 answers.
/// </summary>
internal sealed record PreparedRequest(Protocol Protocol, string Image, Uri Path, byte[] Body, string ContentType, int? JsonLength)
{
    /// <summary>The Open Inference Protocol's header giving the JSON's length when binary data follows it.</summary>
    public const string HeaderLength = "Inference-Header-Content-Length";

    /// <summary>POST /v1/classify: the image file as it is.</summary>
    public static PreparedRequest V1(UploadImage image) =>
        new(Protocol.V1, image.Path, new Uri("v1/classify", UriKind.Relative), image.Data, image.ContentType, null);

    /// <summary>POST /v2/models/{name}/infer for <paramref name="image"/> under <paramref name="protocol"/>.</summary>
    public static PreparedRequest V2(Protocol protocol, UploadImage image, ServedModel model)
    {
        var path = new Uri($"v2/models/{Uri.EscapeDataString(model.Name)}/infer", UriKind.Relative);
        var id = System.IO.Path.GetFileName(image.Path);
        var config = model.Preprocessor.Config;
        long[] tensorShape = [1, config.InChannels, config.InputSize, config.InputSize];
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteStartArray("inputs");
            writer.WriteStartObject();
            switch (protocol)
            {
                case Protocol.V2Json:
                    WriteInput(writer, "input", "FP32", tensorShape);
                    writer.WriteStartArray("data");
                    Array.ForEach(model.Preprocess(image), writer.WriteNumberValue);
                    writer.WriteEndArray();
                    break;
                case Protocol.V2Binary:
                    WriteInput(writer, "input", "FP32", tensorShape);
                    writer.WriteStartObject("parameters");
                    writer.WriteNumber("binary_data_size", (long)model.Preprocessor.ValuesPerImage * sizeof(float));
                    writer.WriteEndObject();
                    break;
                case Protocol.V2Bytes:
                    // MLServer's convention for BYTES in JSON: base64 strings, said so by content_type.
                    WriteInput(writer, "image", "BYTES", [1]);
                    writer.WriteStartObject("parameters");
                    writer.WriteString("content_type", "base64");
                    writer.WriteEndObject();
                    writer.WriteStartArray("data");
                    writer.WriteStringValue(Convert.ToBase64String(image.Data));
                    writer.WriteEndArray();
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "not a /v2 protocol");
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteStartArray("outputs");
            writer.WriteStartObject();
            writer.WriteString("name", "probabilities");
            if (protocol == Protocol.V2Binary)
            {
                writer.WriteStartObject("parameters");
                writer.WriteBoolean("binary_data", true);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        if (protocol != Protocol.V2Binary)
        {
            return new(protocol, image.Path, path, json.ToArray(), "application/json", null);
        }

        // The tensor after the JSON, little-endian as the extension says.
        var jsonLength = (int)json.Length;
        var values = model.Preprocess(image);
        var data = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * sizeof(float)), values[i]);
        }

        json.Write(data);
        return new(protocol, image.Path, path, json.ToArray(), "application/octet-stream", jsonLength);
    }

    /// <summary>A new message carrying this request (a message can be sent once; the body is shared).</summary>
    public HttpRequestMessage ToMessage()
    {
        var content = new ByteArrayContent(Body);
        content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        var message = new HttpRequestMessage(HttpMethod.Post, Path) { Content = content };
        if (JsonLength is { } length)
        {
            message.Headers.TryAddWithoutValidation(HeaderLength, length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return message;
    }

    private static void WriteInput(Utf8JsonWriter writer, string name, string datatype, long[] shape)
    {
        writer.WriteString("name", name);
        writer.WriteString("datatype", datatype);
        writer.WriteStartArray("shape");
        Array.ForEach(shape, writer.WriteNumberValue);
        writer.WriteEndArray();
    }
}
