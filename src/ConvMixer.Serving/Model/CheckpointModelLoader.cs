using Microsoft.Extensions.Options;

namespace ConvMixerNet.Serving;

/// <summary>Loads the model named by <see cref="ConvMixerServingOptions.Weights"/> (weights, a model folder or an .onnx file) into an <see cref="ImageClassifier"/>.</summary>
public sealed class CheckpointModelLoader(IOptions<ConvMixerServingOptions> options) : IClassificationModelLoader
{
    /// <inheritdoc />
    public IClassificationModel Load()
    {
        var settings = options.Value;
        var classifierOptions = new ImageClassifierOptions { BatchSize = settings.BatchSize };
        if (settings.InputSize is { } inputSize)
        {
            classifierOptions = classifierOptions with { Overrides = new DataConfigOverrides { InputSize = inputSize } };
        }

        // A model folder is known by its own name, a file by its file name, a hub model by its repository; never by the server's paths.
        var name = ModelReference.ToHubReference(settings.Weights) is { } hub ? hub.RepoId
            : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Weights)));
        // One call for every kind of reference; an exported .onnx runs on ONNX Runtime with the same preprocessing, labels and batching.
        var model = ClassificationModel.Open(settings.Weights, new ModelOpenOptions { Threads = settings.Threads, Backends = [OnnxBackend.Instance] });
        try
        {
            return new ClassifierModel(new ImageClassifier(model, classifierOptions), name);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
