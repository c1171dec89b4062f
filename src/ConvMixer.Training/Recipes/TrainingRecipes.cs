namespace ConvMixerNet.Training;

/// <summary>The recipes that come with the library, by name.</summary>
public static class TrainingRecipes
{
    /// <summary>
    /// Fashion-MNIST (28×28 grey images, 10 classes) on a 2-core CPU: ConvMixer-96/8 with a 3×3 kernel, patch 2 and
    /// ReLU, 10 epochs of batch 64, AdamW (lr 0.0025, weight decay 0.01) on the one-cycle schedule, label smoothing 0.1,
    /// random 2-pixel shifts and horizontal flips; after the last epoch the validation set is evaluated on 18 views of
    /// each image (moved by up to one pixel, and mirrored).
    /// docs/training-benchmark.md has the measured accuracy over seeds and the training time.
    /// </summary>
    public static TrainingRecipe FashionMnist { get; } = new()
    {
        Name = "fashion-mnist",
        Summary = "ConvMixer-96/8 (kernel 3, patch 2, ReLU) for Fashion-MNIST in under 20 minutes on two CPU cores.",
        Architecture = new ConvMixerConfig(Dim: 96, Depth: 8, KernelSize: 3, PatchSize: 2, NumClasses: 10, InChannels: 1, Activation: Activation.Relu),
        ImageSize = 28,
        Options = new TrainerOptions
        {
            Recipe = "fashion-mnist",
            Epochs = 10,
            BatchSize = 64,
            LearningRate = 0.0025,
            WeightDecay = 0.01,
            Schedule = ScheduleKind.OneCycle,
            LabelSmoothing = 0.1,
            Augmentation = new Augmentation(CropPadding: 2, HorizontalFlip: true),
            EvaluationAugmentation = TestTimeAugmentation.HorizontalFlipAndShifts,
        },
    };

    /// <summary>
    /// CIFAR-10 (32×32 colour images, 10 classes, brought as an image folder): the official ConvMixer-256/8 recipe of
    /// the authors' CIFAR-10 script (its README's command: kernel 5, patch 2, GELU, 25 epochs of batch 512, AdamW with
    /// lr 0.05 and weight decay 0.005 on the one-cycle schedule, horizontal flips), reported there at about 92.5%. That
    /// command also applies RandAugment (2 operations, magnitude 12), which this library does not implement: expect less.
    /// </summary>
    public static TrainingRecipe Cifar10 { get; } = new()
    {
        Name = "cifar10",
        Summary = "The official ConvMixer-256/8 CIFAR-10 recipe (without its RandAugment).",
        Architecture = new ConvMixerConfig(Dim: 256, Depth: 8, KernelSize: 5, PatchSize: 2, NumClasses: 10, InChannels: 3, Activation: Activation.Gelu),
        ImageSize = 32,
        Options = new TrainerOptions
        {
            Recipe = "cifar10",
            Epochs = 25,
            BatchSize = 512,
            LearningRate = 0.05,
            WeightDecay = 0.005,
            Schedule = ScheduleKind.OneCycle,
            Augmentation = new Augmentation(CropPadding: 0, HorizontalFlip: true),
        },
    };

    /// <summary>Every recipe by name.</summary>
    public static IReadOnlyDictionary<string, TrainingRecipe> ByName { get; } =
        new[] { FashionMnist, Cifar10 }.ToDictionary(r => r.Name, StringComparer.Ordinal);

    /// <summary>The recipe named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No recipe has that name; the message lists those that exist.</exception>
    public static TrainingRecipe Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByName.TryGetValue(name, out var recipe)
            ? recipe
            : throw new ArgumentException(Unknown(name), nameof(name));
    }

    /// <summary>The recipe named <paramref name="name"/>, or null (<see cref="Unknown"/> says so).</summary>
    public static TrainingRecipe? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>That no recipe is named <paramref name="name"/>, with the names that exist.</summary>
    public static string Unknown(string name) => $"There is no training recipe '{name}'. Known: {string.Join(", ", ByName.Keys)}.";
}
