using ConvMixerNet.Hub;
using static TorchSharp.torch;

namespace ConvMixerNet.Vision;

/// <summary>How <see cref="ClassificationModel.Open"/> opens a model reference.</summary>
public sealed record ModelOpenOptions
{
    /// <summary>How TorchSharp reads weights (activation or preset, strictness) and where hub models come from (<see cref="CheckpointLoadOptions.Hub"/>).</summary>
    public CheckpointLoadOptions Checkpoint { get; init; } = new();

    /// <summary>The precision TorchSharp computes in; other backends run in the precision of their file.</summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Float32;

    /// <summary>The device TorchSharp runs on (default CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>Intra-op threads of backends with a thread pool of their own (ONNX Runtime); null: the runtime's default.</summary>
    public int? Threads { get; init; }

    /// <summary>Receives the progress of a hub download, per file.</summary>
    public IProgress<HubDownloadProgress>? DownloadProgress { get; init; }

    /// <summary>
    /// Backends asked before the built-in <see cref="TorchSharpBackend"/>, in order (for example ConvMixerNet.Onnx's
    /// <c>OnnxBackend.Instance</c>). They are stateless descriptions: nothing here is disposed.
    /// </summary>
    public IReadOnlyList<IClassificationBackend> Backends { get; init; } = [];
}
