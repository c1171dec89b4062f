using Microsoft.Extensions.Options;

namespace ConvMixerNet.Serving;

/// <summary>Loads the model named by <see cref="ConvMixerServingOptions.Weights"/> (weights, a model folder or an .onnx file) into an <see cref="ImageClassifier"/>.</summary>
public sealed class CheckpointModelLoader(IOptions<ConvMixerServingOptions> options) : IClassificationModelLoader
{
    /// <inheritdoc />
    public IClassificationModel Load()
    {
        var settings = options.Value;
        var path = WeightsLocator.Resolve(settings.Weights);
        var classifierOptions = new ImageClassifierOptions { BatchSize = settings.BatchSize };
        if (settings.InputSize is { } inputSize)
        {
            classifierOptions = classifierOptions with { Overrides = new DataConfigOverrides { InputSize = inputSize } };
        }

        // A model folder is known by its own name, a file by its file name, a hub model by its repository; never by the server's paths.
        var name = ModelReference.ToHubReference(settings.Weights) is { } hub ? hub.RepoId
            : Directory.Exists(settings.Weights) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Weights))) : Path.GetFileName(path);
        // An exported .onnx runs on ONNX Runtime; the preprocessing, labels and batching are the same.
        var classifier = path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
            ? new ImageClassifier(OnnxConvMixer.Load(path, new OnnxRuntimeOptions { IntraOpThreads = settings.Threads ?? 0 }), classifierOptions)
            : ImageClassifier.FromCheckpoint(path, classifierOptions);
        return new ClassifierModel(classifier, name);
    }
}
