using System.Text.Json;
using System.Text.Json.Serialization;
using ConvMixerNet.Core;
using ConvMixerNet.Vision;

namespace ConvMixerNet.LoadTest;

/// <summary>
/// What a server says about its model at GET /v1/model: the name /v2 serves it under and its preprocessing, rebuilt as
/// the library's <see cref="ImagePreprocessor"/> so the client prepares FP32 input exactly as the server would.
/// </summary>
internal sealed class ServedModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private ServedModel(string name, ImagePreprocessor preprocessor)
    {
        Name = name;
        Preprocessor = preprocessor;
    }

    /// <summary>The model's name under /v2/models/.</summary>
    public string Name { get; }

    /// <summary>The server's preprocessing.</summary>
    public ImagePreprocessor Preprocessor { get; }

    /// <summary>Reads the description; <paramref name="name"/> is the server's --model-name when set, else the server's default is used.</summary>
    /// <exception cref="InvalidOperationException">The description lacks a field or its preprocessing cannot be rebuilt exactly.</exception>
    public static ServedModel Of(JsonElement model, string? name)
    {
        try
        {
            var architecture = model.GetProperty("architecture");
            var served = model.GetProperty("preprocessing").Deserialize<Preprocessing>(Json)!;
            var config = new DataConfig
            {
                InChannels = served.InChannels,
                InputSize = served.InputSize,
                CropFraction = served.CropFraction,
                CropMode = served.CropMode,
                Interpolation = served.Interpolation,
                Mean = served.Mean,
                Std = served.Std,
            };
            // The resize length is derived from the others; if it differs, the description did not round-trip.
            if (config.ResizeSize != served.ResizeSize)
            {
                throw new InvalidOperationException($"the server resizes to {served.ResizeSize}, the rebuilt preprocessing to {config.ResizeSize}");
            }

            // The server's default name (ModelSignature.NameOf): the architecture's, as timm spells it.
            name ??= $"convmixer_{architecture.GetProperty("dim").GetInt32()}_{architecture.GetProperty("depth").GetInt32()}";
            return new ServedModel(name, new ImagePreprocessor(config, served.ApplyExifOrientation));
        }
        catch (Exception e) when (e is KeyNotFoundException or JsonException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException($"GET /v1/model does not describe the model as this check needs: {e.Message}", e);
        }
    }

    /// <summary>An image file as the server's FP32 input <c>[C, H, W]</c>: decoded and preprocessed as /v1/classify does.</summary>
    /// <exception cref="InvalidOperationException">The file is not an image the library reads.</exception>
    public float[] Preprocess(UploadImage image)
    {
        try
        {
            return Preprocessor.Process(Preprocessor.Decode(image.Data, Path.GetFileName(image.Path)));
        }
        catch (ImageDecodeException e)
        {
            throw new InvalidOperationException($"{image.Path} cannot be read as an image: {e.Reason}", e);
        }
    }

    private sealed record Preprocessing(
        int InChannels, int InputSize, int ResizeSize, double CropFraction, CropMode CropMode, Interpolation Interpolation, float[] Mean, float[] Std,
        bool ApplyExifOrientation);
}
