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
    /// the authors' CIFAR-10 script, its README's command <c>--lr-max=0.05 --ra-n=2 --ra-m=12 --wd=0.005 --scale=1.0
    /// --jitter=0 --reprob=0</c> (reported there at about 92.5%): kernel 5, patch 2, GELU, 25 epochs of batch 512, AdamW
    /// with lr 0.05 and weight decay 0.005 on the one-cycle schedule; per image a random resized crop of scale 1 and
    /// ratio 1 (the whole image), a horizontal flip with probability 0.5 and RandAugment with 2 operations at magnitude
    /// 12, no colour jitter, no random erasing. The script uses torchvision's <c>RandAugment(num_ops=2, magnitude=12)</c>,
    /// whose magnitude counts 30 steps to the maximum (12 = 40%) and applies every drawn operation; the library implements
    /// timm's RandAugment, whose magnitude counts 10 steps, so the same strength is timm's
    /// <see cref="Cifar10RandAugment"/> (m4 = 40%, p1.0 = always applied, inc1 = the operations whose strength grows
    /// with the magnitude, as torchvision's do). timm's operation set differs slightly (Invert and SolarizeAdd instead
    /// of Identity; posterize keeps 3 bits where torchvision keeps 6).
    /// </summary>
    public static TrainingRecipe Cifar10 { get; } = new()
    {
        Name = "cifar10",
        Summary = "The official ConvMixer-256/8 CIFAR-10 recipe, with its RandAugment (2 operations, 40% strength) in timm's form.",
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
            ImageFolder = new ImageFolderTrainingOptions
            {
                ScaleMin = 1.0,
                ScaleMax = 1.0,
                RatioMin = 1.0,
                RatioMax = 1.0,
                HorizontalFlip = 0.5,
                AutoAugment = Cifar10RandAugment,
                ColorJitter = 0,
                TrainInterpolation = "bilinear", // torchvision's RandomResizedCrop default (an identity at scale 1 and the same size)
            },
        },
    };

    /// <summary>The <c>cifar10</c> recipe's RandAugment in timm's syntax: torchvision's 2 operations at magnitude 12 of 30.</summary>
    public const string Cifar10RandAugment = "rand-m4-n2-p1.0-inc1";

    /// <summary>
    /// Fine-tuning a pretrained ConvMixer (<c>train --pretrained REF --recipe finetune</c>) on a folder of photos, at the
    /// pretrained model's input size (224² for the published models) with timm's training transforms. Each value and
    /// its source (timm's <c>train.py</c> defaults, the ConvMixer paper's ImageNet command) is in docs/training.md,
    /// "The finetune recipe".
    /// </summary>
    public static TrainingRecipe FineTune { get; } = new()
    {
        Name = "finetune",
        Summary = "Fine-tune pretrained weights on photos at the model's input size: AdamW lr 1e-4 with 1 warm-up epoch and cosine decay, timm's transforms with RandAugment, EMA.",
        // Replaced by the pretrained model's architecture; the published ConvMixer-768/32's for reference.
        Architecture = new ConvMixerConfig(Dim: 768, Depth: 32, KernelSize: 7, PatchSize: 7, NumClasses: 1000, InChannels: 3, Activation: Activation.Relu),
        FineTunes = true,
        ImageSize = 224,                                        // timm's convmixer default_cfg, used when the weights store no input size
        Options = new TrainerOptions
        {
            Recipe = "finetune",
            Epochs = 10,                                        // a short fine-tune; timm has no fine-tuning default (its 300 are for ImageNet from scratch)
            BatchSize = 32,                                     // bounded memory on a CPU at 224²; lower it (or --accumulate) for ConvMixer-768/32
            LearningRate = 1e-4,                                // the paper's 0.01 at batch 640, scaled to batch 32 (5e-4), then 5x lower to keep the pretrained features
            WeightDecay = 0.05,                                 // AdamW's usual decoupled decay for fine-tuning (timm's 2e-5 default is for SGD)
            Schedule = ScheduleKind.CosineWithWarmup,           // timm's default --sched cosine with warm-up
            WarmupEpochs = 1,                                   // timm warms up 5 of 300 epochs; one epoch protects the pretrained body from the new head's first gradients
            LabelSmoothing = 0.1,                               // timm's --smoothing default
            GradientClipNorm = 1.0,                             // the paper's --clip-grad 1.0
            RandomErasing = new RandomErasing(0.25),            // the paper's --reprob 0.25 --remode pixel
            ModelEmaDecay = 0.9998,                             // timm's --model-ema-decay default
            ModelEmaWarmup = true,                              // timm's --model-ema-warmup: a short run's EMA follows the weights instead of staying near the start
            ImageFolder = new ImageFolderTrainingOptions
            {
                AutoAugment = "rand-m9-mstd0.5-inc1",          // the paper's --aa; timm's scale 0.08-1, ratio 3/4-4/3, hflip 0.5, random interpolation
            },
        },
    };

    /// <summary>Every recipe by name.</summary>
    public static IReadOnlyDictionary<string, TrainingRecipe> ByName { get; } =
        new[] { FashionMnist, Cifar10, FineTune }.ToDictionary(r => r.Name, StringComparer.Ordinal);

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
