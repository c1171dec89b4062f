using System.Globalization;

namespace ConvMixerNet.Training;

/// <summary>Hyperparameters and housekeeping of a training run. The defaults follow the official ConvMixer CIFAR-10 recipe.</summary>
public sealed record TrainerOptions
{
    /// <summary>The name of the <see cref="TrainingRecipe"/> these options came from, if any (recorded with the run).</summary>
    public string? Recipe { get; init; }

    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Micro-batches whose gradients are summed before one optimizer step (effective batch = BatchSize × this).</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Peak learning rate of AdamW.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>AdamW's decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>The learning-rate schedule, stepped per optimizer step.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.OneCycle;

    /// <summary>Warm-up length for <see cref="ScheduleKind.CosineWithWarmup"/>, in epochs (may be fractional).</summary>
    public double WarmupEpochs { get; init; } = 1.0;

    /// <summary>Label smoothing of the cross-entropy loss, in [0, 1).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>When set, gradients are rescaled so their global L2 norm is at most this value.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Seed of the weights' random draws (dropout), the data order and the augmentation.</summary>
    public long Seed { get; init; }

    /// <summary>Random transforms of training images.</summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;

    /// <summary>timm's random erasing (<c>--reprob</c>, pixel mode) of each normalised training image, or null.</summary>
    public RandomErasing? RandomErasing { get; init; }

    /// <summary>
    /// timm's mixup/CutMix of each training batch (<c>--mixup</c>, <c>--cutmix</c>), or null. Its targets are smoothed
    /// with <see cref="LabelSmoothing"/> (its own <see cref="Mixup.LabelSmoothing"/> is not used) and the loss is timm's
    /// soft-target cross-entropy.
    /// </summary>
    public Mixup? Mixup { get; init; }

    /// <summary>
    /// timm's <c>--model-ema-decay</c>: keep an exponential moving average of the weights (<see cref="ModelEma"/>,
    /// timm's <c>ModelEmaV3</c>) updated after every optimizer step, evaluated after every epoch and saved to the run's
    /// <c>ema</c> model folder. Null: no EMA.
    /// </summary>
    public double? ModelEmaDecay { get; init; }

    /// <summary>timm's <c>--model-ema-warmup</c>: the EMA decay warms up as <c>1 − (1 + t)^(−2/3)</c> until it reaches <see cref="ModelEmaDecay"/>.</summary>
    public bool ModelEmaWarmup { get; init; }

    /// <summary>
    /// The training images' configuration: its mean and standard deviation normalise every image (training and
    /// evaluation), and it becomes the trained model's stored <see cref="PretrainedConfig.Data"/>. Null: no
    /// normalisation (<see cref="DatasetStatistics.Unnormalized"/> of the training set).
    /// </summary>
    public DataConfig? Data { get; init; }

    /// <summary>
    /// For fine-tuning: only the classifier trains during this many first epochs. The body's parameters get no gradients
    /// and its BatchNorm layers run in eval mode, so they normalise with their running statistics and leave them
    /// unchanged, as timm's <c>freeze</c> does (it converts them to <c>FrozenBatchNorm2d</c>).
    /// </summary>
    public int FreezeBodyEpochs { get; init; }

    /// <summary>
    /// Views averaged when the validation set is evaluated after every epoch. With
    /// <see cref="TestTimeAugmentation.HorizontalFlipAndShifts"/> only the last epoch's evaluation takes all 18 views;
    /// the epochs before it take the image and its mirror image.
    /// </summary>
    public TestTimeAugmentation EvaluationAugmentation { get; init; } = TestTimeAugmentation.None;

    /// <summary>
    /// Trains (and evaluates) with the model's feature maps stored channels-last (<see cref="ConvMixer.ChannelsLast"/>),
    /// which libtorch's CPU convolution and BatchNorm kernels run faster. Changes speed only, not the results beyond float rounding.
    /// </summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>
    /// For an image folder of photos (<see cref="StreamingImageDataset"/>): timm's training transforms and how the images
    /// are read; null for data held in memory as pixels, which <see cref="Augmentation"/> augments.
    /// </summary>
    public ImageFolderTrainingOptions? ImageFolder { get; init; }

    /// <summary>Batches prepared ahead by the loader thread.</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Where <c>checkpoint.ckpt</c> and <c>metrics.csv</c> are written after every epoch; null writes nothing.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid value (<see cref="Problems"/>).</summary>
    public void Validate()
    {
        if (Problems() is [var first, ..])
        {
            throw new ArgumentException(first.Message, first.Property);
        }
    }

    /// <summary>Every invalid value, each naming its property; empty when the options can train.</summary>
    public IReadOnlyList<OptionProblem> Problems()
    {
        var problems = new List<OptionProblem>();
        void Require(bool condition, string name, object? value, string rule)
        {
            if (!condition)
            {
                problems.Add(new OptionProblem(name, $"TrainerOptions.{name} {rule}, but it is {value?.ToString() ?? "null"}."));
            }
        }

        void RequireValid(Action? validate, string name)
        {
            try
            {
                validate?.Invoke();
            }
            catch (ArgumentException e)
            {
                problems.Add(new OptionProblem(name, $"TrainerOptions.{name}: {e.Message}"));
            }
        }

        Require(Epochs >= 1, nameof(Epochs), Epochs, "must be at least 1");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        Require(AccumulationSteps >= 1, nameof(AccumulationSteps), AccumulationSteps, "must be at least 1");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be a positive finite number");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "must be a non-negative finite number");
        Require(WarmupEpochs >= 0 && WarmupEpochs <= Epochs, nameof(WarmupEpochs), WarmupEpochs, "must be in [0, Epochs]");
        Require(LabelSmoothing >= 0 && LabelSmoothing < 1, nameof(LabelSmoothing), LabelSmoothing, "must be in [0, 1)");
        Require(GradientClipNorm is null || GradientClipNorm > 0, nameof(GradientClipNorm), GradientClipNorm, "must be positive when set");
        Require(FreezeBodyEpochs >= 0, nameof(FreezeBodyEpochs), FreezeBodyEpochs, "must not be negative");
        Require(PrefetchBatches >= 1, nameof(PrefetchBatches), PrefetchBatches, "must be at least 1");
        Require(Augmentation is not null && Augmentation.CropPadding >= 0, nameof(Augmentation), Augmentation, "must be set, with a non-negative crop padding");
        RequireValid(RandomErasing is null ? null : RandomErasing.Validate, nameof(RandomErasing));
        RequireValid(Mixup is null ? null : Mixup.Validate, nameof(Mixup));
        RequireValid(ImageFolder is null ? null : ImageFolder.Validate, nameof(ImageFolder));
        Require(ModelEmaDecay is null || (ModelEmaDecay >= 0 && ModelEmaDecay < 1), nameof(ModelEmaDecay), ModelEmaDecay, "must be in [0, 1) when set");
        Require(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "is not a known schedule");
        Require(Enum.IsDefined(EvaluationAugmentation), nameof(EvaluationAugmentation), EvaluationAugmentation, "is not a known test-time augmentation");
        return problems;
    }

    /// <summary>
    /// The run's hyperparameters by name, as the trained model's configuration records them
    /// (<see cref="PretrainedConfig.Training"/>, the <c>training</c> object of <c>config.json</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Hyperparameters()
    {
        static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Recipe is { } recipe)
        {
            values["recipe"] = recipe;
        }

        values["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture);
        values["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture);
        values["accumulation_steps"] = AccumulationSteps.ToString(CultureInfo.InvariantCulture);
        values["optimizer"] = "adamw";
        values["lr"] = Number(LearningRate);
        values["weight_decay"] = Number(WeightDecay);
        values["schedule"] = Schedule.ToString();
        if (Schedule == ScheduleKind.CosineWithWarmup)
        {
            values["warmup_epochs"] = Number(WarmupEpochs);
        }

        values["label_smoothing"] = Number(LabelSmoothing);
        if (GradientClipNorm is { } clip)
        {
            values["clip_norm"] = Number(clip);
        }

        values["crop_padding"] = Augmentation.CropPadding.ToString(CultureInfo.InvariantCulture);
        values["hflip"] = Augmentation.HorizontalFlip ? "true" : "false";
        if (FreezeBodyEpochs > 0)
        {
            values["freeze_body_epochs"] = FreezeBodyEpochs.ToString(CultureInfo.InvariantCulture);
        }

        if (RandomErasing is { } erasing)
        {
            values["reprob"] = Number(erasing.Probability);
            values["remode"] = "pixel";
            values["recount"] = erasing.Count.ToString(CultureInfo.InvariantCulture);
            values["random_erasing"] = string.Create(CultureInfo.InvariantCulture, $"p={Number(erasing.Probability)} mode=pixel count={erasing.Count}");
        }

        if (Mixup is { } mixup)
        {
            values["mixup"] = Number(mixup.MixupAlpha);
            values["cutmix"] = Number(mixup.CutmixAlpha);
            values["mixup_prob"] = Number(mixup.Probability);
            values["mixup_switch_prob"] = Number(mixup.SwitchProbability);
        }

        if (ModelEmaDecay is { } emaDecay)
        {
            values["model_ema"] = "true";
            values["model_ema_decay"] = Number(emaDecay);
            values["model_ema_warmup"] = ModelEmaWarmup ? "true" : "false";
        }

        ImageFolder?.Describe(values, Data?.InputSize ?? 0);
        values["eval_tta"] = EvaluationAugmentation.ToString();
        values["seed"] = Seed.ToString(CultureInfo.InvariantCulture);
        return values;
    }

    /// <summary>Builds the schedule for a run of <paramref name="stepsPerEpoch"/> optimizer steps per epoch.</summary>
    public ILearningRateSchedule CreateSchedule(long stepsPerEpoch)
    {
        var total = stepsPerEpoch * Epochs;
        return Schedule switch
        {
            ScheduleKind.OneCycle => new OneCycleSchedule(LearningRate, total),
            ScheduleKind.CosineWithWarmup => new CosineWarmupSchedule(LearningRate, total, (long)Math.Round(WarmupEpochs * stepsPerEpoch)),
            _ => new ConstantSchedule(LearningRate, total),
        };
    }
}
