namespace ConvMixerNet.Training;

/// <summary>
/// A named, complete set of hyperparameters for training a ConvMixer from scratch on one kind of data: the
/// architecture, the trainer's options (epochs, batch, AdamW, schedule, augmentation, evaluation) and the side of the
/// images made from an image folder. Images are normalised with the training set's own per-channel mean and standard
/// deviation (<see cref="DatasetStatistics.Measure"/>). The command line's <c>train --recipe NAME</c> starts from one,
/// and explicit options override single values.
/// </summary>
public sealed record TrainingRecipe
{
    /// <summary>The name the recipe is chosen by (for example <c>fashion-mnist</c>).</summary>
    public required string Name { get; init; }

    /// <summary>What the recipe is for and what it is measured to reach.</summary>
    public required string Summary { get; init; }

    /// <summary>The architecture; the class count and input channels come from the data.</summary>
    public required ConvMixerConfig Architecture { get; init; }

    /// <summary>The trainer's options, with <see cref="TrainerOptions.Recipe"/> set to <see cref="Name"/>.</summary>
    public required TrainerOptions Options { get; init; }

    /// <summary>
    /// True for a fine-tuning recipe: it starts from pretrained weights (their architecture replaces
    /// <see cref="Architecture"/>) and trains at the pretrained model's input size when it has one.
    /// </summary>
    public bool FineTunes { get; init; }

    /// <summary>Side of the square images made from an image folder (IDX data keeps its own size).</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>The architecture for data with <paramref name="classes"/> classes of <paramref name="channels"/>-channel images.</summary>
    public ConvMixerConfig ArchitectureFor(int classes, int channels) => Architecture with { NumClasses = classes, InChannels = channels };
}
