using ConvMixerNet.Vision;

namespace ConvMixerNet.Onnx;

/// <summary>
/// ONNX Runtime as a ConvMixerNet.Vision backend: opens exported <c>.onnx</c> files as <see cref="OnnxConvMixer"/>s.
/// Pass <see cref="Instance"/> in <see cref="ModelOpenOptions.Backends"/> and <see cref="ClassificationModel.Open"/>
/// runs <c>.onnx</c> files here and everything else on TorchSharp.
/// </summary>
public sealed class OnnxBackend : IClassificationBackend
{
    private OnnxBackend()
    {
    }

    /// <summary>The one instance (the backend holds no state; each opened model owns its session).</summary>
    public static OnnxBackend Instance { get; } = new();

    /// <inheritdoc />
    public string Opens => "an exported .onnx file";

    /// <summary>Whether <paramref name="path"/> names an ONNX file: the one rule for telling them from weights.</summary>
    public static bool IsOnnxFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(path);
    }

    /// <inheritdoc />
    public bool CanOpen(string path) => IsOnnxFile(path);

    /// <inheritdoc />
    public IImageClassificationModel Open(string path, ModelOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Precision != InferencePrecision.Float32)
        {
            throw new NotSupportedException(
                $"The precision {options.Precision} applies to TorchSharp; an ONNX file runs in the precision it was exported or quantized in.");
        }

        return OnnxConvMixer.Load(path, new OnnxRuntimeOptions { IntraOpThreads = options.Threads ?? 0 });
    }
}
