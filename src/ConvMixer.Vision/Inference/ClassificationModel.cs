namespace ConvMixerNet.Vision;

/// <summary>
/// Opens any model reference for classification with one call: a weights file, a model folder, a training run, a
/// model on a Hugging Face hub (<c>hf-hub:ORG/NAME[@REVISION]</c> or a preset with published weights, downloaded once;
/// see <see cref="ModelReference"/>), or whatever the backends in <see cref="ModelOpenOptions.Backends"/> open (an
/// <c>.onnx</c> file with ConvMixerNet.Onnx's <c>OnnxBackend</c>). The result carries the stored preprocessing and
/// class names (<see cref="IImageClassificationModel.Pretrained"/>); wrap it in an <see cref="ImageClassifier"/>, which
/// then owns it, or dispose it yourself.
/// </summary>
/// <example><code>
/// using var model = ClassificationModel.Open("model.onnx", new ModelOpenOptions { Backends = [OnnxBackend.Instance] });
/// using var classifier = new ImageClassifier(model);
/// </code></example>
public static class ClassificationModel
{
    /// <summary>Opens <paramref name="reference"/> on the first backend that claims it (TorchSharp last).</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at the path; the message lists what is expected.</exception>
    /// <exception cref="InvalidCheckpointException">The file is of no kind any backend reads, or corrupt.</exception>
    /// <exception cref="NotSupportedException">An option does not apply to the backend (bfloat16 for an ONNX file, float16 on the CPU).</exception>
    /// <exception cref="ConvMixerNet.Hub.HubException">A hub download failed.</exception>
    /// <exception cref="FormatException">An <c>hf-hub:</c> reference is malformed.</exception>
    public static IImageClassificationModel Open(string reference, ModelOpenOptions? options = null) =>
        Task.Run(() => OpenAsync(reference, options)).GetAwaiter().GetResult();

    /// <summary>As <see cref="Open"/>; the download of a hub model is asynchronous and can be cancelled.</summary>
    public static async Task<IImageClassificationModel> OpenAsync(string reference, ModelOpenOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        options ??= new ModelOpenOptions();
        var path = await ModelReference.ResolveAsync(reference, options.Checkpoint.Hub, options.DownloadProgress, cancellationToken).ConfigureAwait(false);
        var backends = options.Backends.Append(TorchSharpBackend.Instance).ToArray();
        if (!File.Exists(path) && !Directory.Exists(path) && !FileKind.IsSpecial(path))
        {
            var kinds = string.Join(", ", backends.Select(b => b.Opens));
            throw new FileNotFoundException($"'{path}' does not exist; expected {kinds}, or a model on a Hugging Face hub (hf-hub:ORG/NAME[@REVISION]).", path);
        }

        return backends.First(b => b.CanOpen(path)).Open(path, options);
    }
}
