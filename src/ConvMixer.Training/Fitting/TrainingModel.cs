using TorchSharp;

namespace ConvMixerNet.Training;

/// <summary>
/// The model a new run starts from: pretrained weights with a classifier for the data's classes, or a new ConvMixer
/// of the requested preset or shape. (A resumed run rebuilds its stored architecture, <see cref="CheckpointState.ModelConfig"/>.)
/// </summary>
public static class TrainingModel
{
    /// <summary>The architecture of a new model for <paramref name="train"/>: the preset's or the requested shape, with the data's classes and channels.</summary>
    /// <exception cref="TrainingDataException">An unknown preset, or a patch larger than the images.</exception>
    public static ConvMixerConfig NewConfig(TrainingRequest request, ImageDataset train)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(train);
        var config = request.Preset is { } name
            ? (ConvMixerPresets.ByName.TryGetValue(name, out var preset)
                ? preset with { NumClasses = train.ClassCount, InChannels = train.Channels }
                : throw new TrainingDataException(ConvMixerPresets.Unknown(name)))
            : new ConvMixerConfig(request.Dim, request.Depth, request.Kernel, request.Patch, train.ClassCount, train.Channels);
        // A preset keeps its own activation unless --activation is typed; a recipe's applies to its own architecture only.
        if (request.Activation is { } activation && (request.Preset is null || request.Given.Contains("--activation")))
        {
            config = config with { Activation = activation };
        }

        if (train.Height < config.PatchSize || train.Width < config.PatchSize)
        {
            throw new TrainingDataException($"--patch {config.PatchSize} is larger than the {train.Height}x{train.Width} images.");
        }

        return config;
    }

    /// <summary>A new model of <paramref name="config"/>, its initial weights drawn from <paramref name="seed"/>.</summary>
    public static ConvMixer New(ConvMixerConfig config, long seed)
    {
        torch.random.manual_seed(seed);
        return new ConvMixer(config);
    }

    /// <summary>
    /// <see cref="FineTuning.LoadPretrained"/> for <paramref name="classes"/> classes, refusing a model whose input
    /// channels differ from the images' (<paramref name="channels"/>; null: photos, which decode to 1 or 3).
    /// </summary>
    /// <exception cref="TrainingDataException">The model's input does not fit the images.</exception>
    public static ConvMixer Pretrained(string path, int classes, int? channels)
    {
        var model = FineTuning.LoadPretrained(path, classes);
        var fits = channels is { } c ? model.Config.InChannels == c : model.Config.InChannels is 1 or 3;
        if (!fits)
        {
            var images = channels is { } n ? $"the data has {n} channel(s)" : "photos give 3 (RGB) or 1 (grey)";
            var message = channels is null
                ? $"The pretrained model takes {model.Config.InChannels}-channel images; {images}."
                : $"The pretrained model takes {model.Config.InChannels}-channel images, but {images}.";
            model.Dispose();
            throw new TrainingDataException(message);
        }

        return model;
    }
}
