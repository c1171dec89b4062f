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
            classifierOptions = classifierOptions with { DataConfig = ImageDataConfig.Default with { InputSize = inputSize } };
        }

        return new ClassifierModel(ImageClassifier.FromCheckpoint(path, classifierOptions), Path.GetFileName(path));
    }
}
