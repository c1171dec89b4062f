namespace ConvMixerNet.Vision;

/// <summary>
/// A way to run saved models: it says which local files or folders it opens and opens them as an
/// <see cref="IImageClassificationModel"/>. <see cref="TorchSharpBackend"/> is built in and opens everything the
/// others do not; ConvMixerNet.Onnx's <c>OnnxBackend</c> opens <c>.onnx</c> files. Pass the ones your app references
/// in <see cref="ModelOpenOptions.Backends"/>; <see cref="ClassificationModel.Open"/> asks them in order.
/// </summary>
public interface IClassificationBackend
{
    /// <summary>What this backend opens, for messages ("an exported .onnx file").</summary>
    string Opens { get; }

    /// <summary>Whether this backend opens <paramref name="path"/> (a local file or folder; hub references are already downloaded).</summary>
    bool CanOpen(string path);

    /// <summary>Opens <paramref name="path"/>. The caller owns the result and disposes it.</summary>
    /// <exception cref="NotSupportedException">An option does not apply to this backend (a precision it cannot run in).</exception>
    IImageClassificationModel Open(string path, ModelOpenOptions options);
}
