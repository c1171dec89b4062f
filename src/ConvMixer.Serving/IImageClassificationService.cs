namespace ConvMixerNet.Serving;

/// <summary>
/// Classifies through the same queue and model thread as the API, for an app's own endpoints; injected by
/// <see cref="ServingServiceCollectionExtensions.AddConvMixerClassification(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.
/// </summary>
public interface IImageClassificationService
{
    /// <summary>True once the model is loaded and until the app stops.</summary>
    bool IsReady { get; }

    /// <summary>The model being served (null while it loads).</summary>
    ModelDescription? Model { get; }

    /// <summary>Decodes an encoded image (JPEG, PNG, WebP, BMP, GIF), waits for its turn in a batch and answers its top classes.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a supported image.</exception>
    /// <exception cref="ServingUnavailableException">The model is loading, the queue is full or the app is stopping.</exception>
    Task<IReadOnlyList<Prediction>> ClassifyAsync(byte[] image, int topK = 5, CancellationToken cancellationToken = default);
}
