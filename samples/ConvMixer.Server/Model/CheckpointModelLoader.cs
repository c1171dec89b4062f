using Microsoft.Extensions.Options;

namespace ConvMixerNet.Server;

/// <summary>Loads the checkpoint named by <see cref="ServerOptions.Weights"/> into an <see cref="ImageClassifier"/>.</summary>
public sealed class CheckpointModelLoader(IOptions<ServerOptions> options) : IClassificationModelLoader
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

        // A model folder is known by its own name, a file by its file name; never by the server's paths.
        var name = Directory.Exists(settings.Weights) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Weights))) : Path.GetFileName(path);
        return new ClassifierModel(ImageClassifier.FromCheckpoint(path, classifierOptions), name);
    }
}
