namespace ConvMixerNet.Serving;

/// <summary>
/// The service's settings, bound from the <c>ConvMixer</c> configuration section (appsettings.json, environment
/// variables such as <c>ConvMixer__BatchSize</c>, or command-line switches such as <c>--batch-size</c>).
/// </summary>
public sealed class ConvMixerServingOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string Section = "ConvMixer";

    /// <summary>A checkpoint file, or a folder holding <c>model.safetensors</c> (what <c>convmixer train</c> writes).</summary>
    public string Weights { get; set; } = string.Empty;

    /// <summary>The model's input side, when it differs from the default preprocessing's 224.</summary>
    public int? InputSize { get; set; }

    /// <summary>The most images in one forward pass; 1 turns batching off.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>How long the worker waits for more images once the first of a batch has arrived.</summary>
    public int MaxBatchDelayMs { get; set; } = 5;

    /// <summary>Requests that may wait for the model; one more is refused with 503.</summary>
    public int QueueCapacity { get; set; } = 64;

    /// <summary>libtorch's intra-op threads (default: libtorch's choice, one per core).</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// The model's name in the Open Inference Protocol's routes (<c>/v2/models/NAME</c>); default: the architecture's
    /// name as timm spells it, e.g. <c>convmixer_768_32</c>.
    /// </summary>
    public string? ModelName { get; set; }

    /// <summary>
    /// A file of API keys, one per line: when set, the classification and model endpoints need
    /// <c>Authorization: Bearer KEY</c> or <c>X-API-Key: KEY</c>. Changes to the file apply to the next request.
    /// </summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>
    /// Watch the weights file or model folder and serve new weights when it is replaced, without a restart: the new
    /// model loads beside the old one and takes over between batches; a load that fails keeps the old model.
    /// </summary>
    public bool WatchWeights { get; set; }

    /// <summary>The largest request body accepted; a larger one is refused with 413 before it is read.</summary>
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;
}
