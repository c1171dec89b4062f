using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TorchSharp;

namespace ConvMixerNet.Cli;

/// <summary>
/// <c>convmixer train</c>: trains (or fine-tunes) a ConvMixer on IDX or image-folder data with the library's
/// <see cref="Trainer"/>, showing a live progress bar, then prints a summary and a confusion matrix and writes
/// the checkpoint, metrics.csv, model.safetensors and loss/accuracy plots to <c>--out</c>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data", "-d") { Description = "An MNIST-layout IDX directory, or an image folder (one sub-folder per class, optionally under train/ and val/).", Required = true };
        var validation = new Option<string?>("--val") { Description = "Validation data (default: the IDX test split, or the val/ or test/ folder next to train/)." };
        var output = new Option<string>("--out", "-o") { Description = "Directory for checkpoint.ckpt, metrics.csv, model.safetensors and the plots.", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run whose checkpoint is in --out (same data and hyperparameters; only --epochs may grow)." };
        var force = new Option<bool>("--force") { Description = "Start a new run in an --out that holds a previous run's files, replacing them." };
        var recipe = new Option<string?>("--recipe", "-r") { Description = "Start from a named set of hyperparameters (" + string.Join(", ", TrainingRecipes.ByName.Keys) + "); options given explicitly override single values." };
        var preset = new Option<string?>("--preset", "-p") { Description = "Architecture preset: " + string.Join(", ", ConvMixerPresets.ByName.Keys) + "." };
        var dim = new Option<int>("--dim") { Description = "Width (when no preset).", DefaultValueFactory = _ => 256 }.AtLeast(1);
        var depth = new Option<int>("--depth") { Description = "Number of layers (when no preset).", DefaultValueFactory = _ => 8 }.AtLeast(1);
        var kernel = new Option<int>("--kernel") { Description = "Depthwise kernel size (when no preset).", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var patch = new Option<int>("--patch") { Description = "Patch size (when no preset).", DefaultValueFactory = _ => 2 }.AtLeast(1);
        var activation = ModelSource.ActivationOption();
        activation.Description = "Nonlinearity of a new model: gelu (the default) or relu.";
        var pretrained = new Option<string?>("--pretrained") { Description = "Fine-tune from these weights (a training checkpoint, .safetensors, .pth or TorchSharp file, a model folder, or a hub model: hf-hub:ORG/NAME or a preset name such as convmixer_768_32); the head is replaced for the data's classes." };
        var freeze = new Option<int>("--freeze-body-epochs") { Description = "With --pretrained: train only the new head for this many first epochs.", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var epochs = new Option<int>("--epochs", "-e") { Description = "Passes over the training set.", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var batch = new Option<int>("--batch", "-b") { Description = "Images per batch.", DefaultValueFactory = _ => 128 }.AtLeast(1);
        var accumulate = new Option<int>("--accumulate") { Description = "Batches per optimizer step (gradient accumulation).", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (AdamW).", DefaultValueFactory = _ => 0.01 }.Within(0, double.PositiveInfinity, minimumExclusive: true);
        var weightDecay = new Option<double>("--wd") { Description = "AdamW weight decay.", DefaultValueFactory = _ => 0.01 }.Within(0, double.PositiveInfinity);
        var schedule = new Option<ScheduleKind>("--schedule") { Description = "OneCycle (the official recipe), CosineWithWarmup or Constant.", DefaultValueFactory = _ => ScheduleKind.OneCycle };
        var warmup = new Option<double>("--warmup-epochs") { Description = "Warm-up of CosineWithWarmup, in epochs.", DefaultValueFactory = _ => 1.0 }.Within(0, double.PositiveInfinity);
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing in [0, 1).", DefaultValueFactory = _ => 0.0 }.Within(0, 1, maximumExclusive: true);
        var clip = new Option<double?>("--clip-norm") { Description = "Clip the gradients' global L2 norm to this value." }.Within(0, double.PositiveInfinity, minimumExclusive: true);
        var cropPadding = new Option<int>("--crop-padding") { Description = "Random-crop augmentation: zero padding on each side (0 = off).", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var flip = new Option<bool>("--flip") { Description = "Random horizontal flips." };
        var reprob = new Option<double>("--reprob") { Description = "timm's random erasing: probability of erasing a box of each image with noise (pixel mode).", DefaultValueFactory = _ => 0.0 }.Within(0, 1);
        var mixupAlpha = new Option<double>("--mixup") { Description = "timm's mixup alpha (0 = off).", DefaultValueFactory = _ => 0.0 }.Within(0, double.PositiveInfinity);
        var cutmixAlpha = new Option<double>("--cutmix") { Description = "timm's CutMix alpha (0 = off).", DefaultValueFactory = _ => 0.0 }.Within(0, double.PositiveInfinity);
        var mixupProb = new Option<double>("--mixup-prob") { Description = "Probability of mixing a batch when --mixup or --cutmix is on.", DefaultValueFactory = _ => 1.0 }.Within(0, 1);
        var modelEma = new Option<bool>("--model-ema") { Description = "Keep timm's exponential moving average of the weights; it is evaluated every epoch and saved to the ema folder in --out." };
        var modelEmaDecay = new Option<double>("--model-ema-decay") { Description = "Decay of --model-ema.", DefaultValueFactory = _ => 0.9998 }.Within(0, 1, maximumExclusive: true);
        var modelEmaWarmup = new Option<bool>("--model-ema-warmup") { Description = "Warm the --model-ema decay up as timm does." };
        var mixupSwitch = new Option<double>("--mixup-switch-prob") { Description = "Probability of CutMix instead of mixup when both are on.", DefaultValueFactory = _ => 0.5 }.Within(0, 1);
        var evalTta = new Option<TestTimeAugmentation>("--eval-tta") { Description = "Views averaged when validating after each epoch: None, HorizontalFlip (the image and its mirror image), or HorizontalFlipAndShifts (18 views: the image moved by up to one pixel in every direction and the mirror of each; the last epoch only, earlier ones take the flip).", DefaultValueFactory = _ => TestTimeAugmentation.None };
        var channelsLast = new Option<bool>("--channels-last") { Description = "Store feature maps channels-last while training (faster on CPUs); false keeps libtorch's default layout.", DefaultValueFactory = _ => true };
        var imageSize = new Option<int>("--image-size") { Description = "Side of the square images made from an image folder.", DefaultValueFactory = _ => 32 }.AtLeast(1);
        var seed = new Option<long>("--seed") { Description = "Seed of initialisation, shuffling, augmentation and dropout.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." }.AtLeast(1);
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training images (quick trials)." }.AtLeast(1);
        var classNames = new Option<string?>("--class-names") { Description = "For IDX data: a text file with one class name per line, in label order (default: Fashion-MNIST's for a folder named after it, else the digits)." };

        // Photos in image folders: timm's transform flags, the streaming or in-memory path, the decoding workers.
        var imageFolder = new ImageFolderFlags();

        var command = new Command("train", "Train or fine-tune a ConvMixer with AdamW and the official one-cycle schedule; checkpoints after every epoch.")
        {
            data, validation, output, resume, force, recipe, preset, dim, depth, kernel, patch, activation, pretrained, freeze, epochs, batch, accumulate, lr, weightDecay,
            schedule, warmup, smoothing, clip, cropPadding, flip, evalTta, channelsLast, imageSize, seed, threads, limit, classNames,
            reprob, mixupAlpha, cutmixAlpha, mixupProb, mixupSwitch, modelEma, modelEmaDecay, modelEmaWarmup,
        };
        foreach (var option in imageFolder.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            var chosen = parse.GetValue(recipe) is { } name ? TrainingRecipes.Find(name) ?? throw new UsageException("--recipe: " + TrainingRecipes.Unknown(name)) : null;

            // A value typed on the command line wins; otherwise the recipe's, if one was chosen; otherwise the option's default.
            T Value<T>(Option<T> option, Func<TrainingRecipe, T> fromRecipe) =>
                chosen is null || parse.IsGiven(option) ? parse.GetValue(option)! : fromRecipe(chosen);

            var request = new TrainingRequest
            {
                Data = parse.GetRequiredValue(data),
                Validation = parse.GetValue(validation),
                Output = parse.GetRequiredValue(output),
                Resume = parse.GetValue(resume),
                Force = parse.GetValue(force),
                Given = command.Options.Where(parse.IsGiven).Select(o => o.Name).ToHashSet(StringComparer.Ordinal),
                Recipe = chosen?.Name,
                Preset = parse.GetValue(preset),
                Dim = Value(dim, r => r.Architecture.Dim),
                Depth = Value(depth, r => r.Architecture.Depth),
                Kernel = Value(kernel, r => r.Architecture.KernelSize),
                Patch = Value(patch, r => r.Architecture.PatchSize),
                Activation = Value(activation, r => r.Architecture.Activation),
                Pretrained = parse.GetValue(pretrained),
                ImageSize = Value(imageSize, r => r.ImageSize),
                Limit = parse.GetValue(limit),
                ClassNames = parse.GetValue(classNames) is { } file ? ClassLabels.FromFile(file).ToArray() : null,
                Options = new TrainerOptions
                {
                    Recipe = chosen?.Name,
                    Epochs = Value(epochs, r => r.Options.Epochs),
                    BatchSize = Value(batch, r => r.Options.BatchSize),
                    AccumulationSteps = Value(accumulate, r => r.Options.AccumulationSteps),
                    LearningRate = Value(lr, r => r.Options.LearningRate),
                    WeightDecay = Value(weightDecay, r => r.Options.WeightDecay),
                    Schedule = Value(schedule, r => r.Options.Schedule),
                    WarmupEpochs = Value(warmup, r => r.Options.WarmupEpochs),
                    LabelSmoothing = Value(smoothing, r => r.Options.LabelSmoothing),
                    GradientClipNorm = Value(clip, r => r.Options.GradientClipNorm),
                    Augmentation = new Augmentation(Value(cropPadding, r => r.Options.Augmentation.CropPadding), Value(flip, r => r.Options.Augmentation.HorizontalFlip)),
                    EvaluationAugmentation = Value(evalTta, r => r.Options.EvaluationAugmentation),
                    RandomErasing = Value(reprob, r => r.Options.RandomErasing?.Probability ?? 0) is > 0 and var p ? new RandomErasing(p) : null,
                    ModelEmaDecay = Value(modelEma, r => r.Options.ModelEmaDecay is not null) ? Value(modelEmaDecay, r => r.Options.ModelEmaDecay ?? 0.9998) : null,
                    ModelEmaWarmup = Value(modelEmaWarmup, r => r.Options.ModelEmaWarmup),
                    Mixup = new Mixup(
                        Value(mixupAlpha, r => r.Options.Mixup?.MixupAlpha ?? 0), Value(cutmixAlpha, r => r.Options.Mixup?.CutmixAlpha ?? 0),
                        Value(mixupProb, r => r.Options.Mixup?.Probability ?? 1.0), Value(mixupSwitch, r => r.Options.Mixup?.SwitchProbability ?? 0.5)) is { IsEnabled: true } m ? m : null,
                    FreezeBodyEpochs = Value(freeze, r => r.Options.FreezeBodyEpochs),
                    ImageFolder = imageFolder.Resolve(parse, chosen),
                    ChannelsLast = parse.GetValue(channelsLast),
                    Seed = parse.GetValue(seed),
                },
            };
            return Task.FromResult(Run(request, parse.GetValue(threads), cancellationToken));
        });
        return command;
    }

    private static int Run(TrainingRequest request, int? threads, CancellationToken cancellationToken)
    {
        Runtime.ApplyThreads(threads);
        using var run = OpenRun(request);
        if (run.Note is { } note)
        {
            Console.Error.WriteLine($"note: {note}");
        }

        if (run.Options.Problems() is [var invalid, ..])
        {
            throw new UsageException($"{InCliTerms(invalid.Property)} has an invalid value: {invalid.Message}");
        }

        if (run.Saved is null && request.Recipe is { } fineTuning && TrainingRecipes.Get(fineTuning).FineTunes && request.Pretrained is null)
        {
            throw new UsageException($"--recipe {fineTuning} fine-tunes pretrained weights: pass --pretrained (a model folder, weights file or hub model such as convmixer_768_32).");
        }

        // Photos with timm's transforms are read by workers (streamed or kept in memory); other data as before.
        var choice = PhotoFolderData.Choose(request, run.Options);
        if (choice.Note is { } decided)
        {
            Terminal.Out.MarkupLine(Markup.Escape($"note: {decided}"));
        }

        var options = run.Options with { ImageFolder = choice.Options };
        ConvMixer? preloaded = null;
        TrainingData data;
        if (options.ImageFolder is not null)
        {
            Func<int, ConvMixer>? pretrainedFor = run.Saved is null && request.Pretrained is { } reference
                ? classes => TrainingModel.Pretrained(HubDownload.Resolve(reference), classes, channels: null)
                : null;
            var loaded = PhotoFolderData.Load(request, options, run.Saved, pretrainedFor);
            (data, options, preloaded) = (loaded.Data, loaded.Options, loaded.Pretrained);
        }
        else
        {
            data = TrainingData.Load(request.Data, request.Validation, run.ImageSize, request.Limit, request.ClassNames, ImageFileDecoder.Default);
        }

        ReportData(data);
        using var model = preloaded ?? BuildModel(request, run.Saved, data.Train);
        if (run.Saved is null && options.ImageFolder is null)
        {
            options = options with { Data = DatasetStatistics.ForTraining(data.Train, request.Pretrained is null ? null : model) };
        }

        using var trainer = new Trainer(model, options);
        if (run.Saved is not null)
        {
            var state = trainer.Resume(run.CheckpointPath);
            Terminal.Out.MarkupLine($"Resuming after epoch {state.CompletedEpochs} of {options.Epochs} (step {state.GlobalStep}).");
        }

        // The data must fit the run (other classes, another image count, another architecture).
        if (trainer.DataProblems(data.Train, data.Validation) is [var misfit, ..])
        {
            throw new UsageException(misfit.Message);
        }

        if (options.Recipe is { } recipeName)
        {
            var typed = ResumeCompatibility.RecipeOverrides(request.Given);
            Terminal.Out.MarkupLine(Markup.Escape($"Recipe: {recipeName}{(typed.Count == 0 ? string.Empty : $", with {string.Join(", ", typed)} from the command line")}."));
        }

        Terminal.Out.MarkupLine(Markup.Escape($"Model: {model.Config}, {Terminal.Count(model.ParameterCount)} parameters; {options.Epochs} epochs, batch {options.BatchSize}, lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)} ({options.Schedule}), {torch.get_num_threads()} threads."));
        var result = Terminal.ShowsProgress
            ? FitWithProgressBar(trainer, data, cancellationToken)
            : trainer.Fit(data.Train, data.Validation, new InlineProgress<TrainingProgress>(PrintEpoch), cancellationToken);

        PhotoFolderReport.AfterTraining(data.Train);
        var plots = TrainingCurves.Write(request.Output, result.History);
        Terminal.Out.Write(TrainingTables.Epochs(result.History));
        if (result.FinalEvaluation is { } evaluation)
        {
            Terminal.Out.Write(TrainingTables.Confusion(evaluation));
            var views = trainer.Options.EvaluationAugmentation == TestTimeAugmentation.None ? string.Empty : $" (test-time augmentation: {trainer.Options.EvaluationAugmentation})";
            Terminal.Out.MarkupLine($"Validation accuracy: [bold]{TrainingTables.Percent(evaluation.Accuracy)}[/] ({evaluation.Correct}/{evaluation.Count}), loss {evaluation.Loss.ToString("F4", CultureInfo.InvariantCulture)}{views}.");
        }

        Terminal.Out.MarkupLine(Markup.Escape(
            $"Wrote {run.CheckpointPath}, {Path.Combine(request.Output, MetricsCsv.FileName)}, {string.Join(", ", plots)} and the model folder {request.Output} "
            + $"({ModelFolder.ConfigFileName} + {ModelFolder.SafetensorsFileName}, with the preprocessing and class names)."));
        return ExitCodes.Success;
    }

    private static TrainingRun OpenRun(TrainingRequest request)
    {
        if (request.Given.Contains("--preset") && request.Preset is { } preset)
        {
            ModelSource.Preset(preset); // an unknown name is a usage error, resumed or not
        }

        try
        {
            return TrainingRun.Open(request, [TrainingCurves.LossFile, TrainingCurves.AccuracyFile]);
        }
        catch (TrainingRunException e) when (e.Conflicts.Count > 0)
        {
            throw new UsageException(
                $"--resume cannot change {string.Join(", ", e.Conflicts.Select(c => c.Description))}: a resumed run continues with its checkpoint's settings (only --epochs may grow). Leave them out, or start a new run with --force.");
        }
        catch (TrainingRunException e)
        {
            throw new UsageException(e.Problems[0]);
        }
    }

    private static ConvMixer BuildModel(TrainingRequest request, CheckpointState? saved, ImageDataset train)
    {
        if (saved is not null)
        {
            return new ConvMixer(saved.ModelConfig);
        }

        if (request.Pretrained is { } reference)
        {
            return TrainingModel.Pretrained(HubDownload.Resolve(reference), train.ClassCount, train.Channels);
        }

        var config = TrainingModel.NewConfig(request, train);
        MemoryEstimate.Require(TrainingMemory.Estimate(config, request.Options.BatchSize, train.Height), $"training {config} with --batch {request.Options.BatchSize}", "--dim, --depth or --batch");
        return TrainingModel.New(config, request.Options.Seed);
    }

    // TrainerOptions names its properties; the user typed options.
    private static string InCliTerms(string property) => property switch
    {
        nameof(TrainerOptions.Epochs) => "--epochs",
        nameof(TrainerOptions.BatchSize) => "--batch",
        nameof(TrainerOptions.AccumulationSteps) => "--accumulate",
        nameof(TrainerOptions.LearningRate) => "--lr",
        nameof(TrainerOptions.WeightDecay) => "--wd",
        nameof(TrainerOptions.WarmupEpochs) => "--warmup-epochs (at most --epochs)",
        nameof(TrainerOptions.LabelSmoothing) => "--label-smoothing",
        nameof(TrainerOptions.GradientClipNorm) => "--clip-norm",
        nameof(TrainerOptions.FreezeBodyEpochs) => "--freeze-body-epochs",
        nameof(TrainerOptions.Augmentation) => "--crop-padding",
        _ => property,
    };

    private static void ReportData(TrainingData data)
    {
        Terminal.Out.MarkupLine(Markup.Escape($"Data: {data.Description}; training {data.Train}" + (data.Validation is { } v ? $"; validation {v.Count} images" : string.Empty) + "."));
        if (data.Skipped.Count > 0)
        {
            foreach (var skipped in data.Skipped)
            {
                Console.Error.WriteLine($"warning: skipped {skipped.Path}: {skipped.Reason}");
            }

            Terminal.Out.MarkupLine($"[yellow]{data.Skipped.Count} unreadable image(s) skipped[/] (listed on stderr).");
        }
    }

    private static TrainingResult FitWithProgressBar(Trainer trainer, TrainingData data, CancellationToken cancellationToken)
    {
        TrainingResult? result = null;
        Terminal.Progress.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                var progress = new InlineProgress<TrainingProgress>(p =>
                {
                    if (task is null || task.IsFinished)
                    {
                        task = context.AddTask($"epoch {p.Epoch}/{p.Epochs}", maxValue: p.Steps);
                    }

                    task.Value = p.Phase == TrainingPhase.Evaluating ? p.Steps : p.Step;
                    task.Description = Markup.Escape(Describe(p));
                    if (p.Phase == TrainingPhase.EpochCompleted)
                    {
                        task.StopTask();
                    }
                });
                result = trainer.Fit(data.Train, data.Validation, progress, cancellationToken);
            });
        return result!;
    }

    private static string Describe(TrainingProgress p) => p.Phase switch
    {
        TrainingPhase.Training => string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F3} acc {100 * p.Accuracy:F1}% lr {p.LearningRate:0.##e0} {p.ImagesPerSecond:F0} img/s ETA {p.Eta:h\\:mm\\:ss}"),
        TrainingPhase.Evaluating => string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} evaluating {p.Step}/{p.Steps}"),
        _ => string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs} loss {p.CompletedEpoch!.TrainLoss:F4} acc {100 * p.CompletedEpoch.TrainAccuracy:F1}%{ValidationNote(p.CompletedEpoch)}"),
    };

    private static string ValidationNote(EpochMetrics m) =>
        m.ValidationAccuracy is { } va ? string.Create(CultureInfo.InvariantCulture, $" val acc {100 * va:F2}%") : string.Empty;

    private static void PrintEpoch(TrainingProgress p)
    {
        if (p.Phase == TrainingPhase.EpochCompleted)
        {
            Console.Error.WriteLine(Describe(p) + string.Create(CultureInfo.InvariantCulture, $" ({p.CompletedEpoch!.TrainSeconds:F1} s, {p.CompletedEpoch.ImagesPerSecond:F0} img/s)"));
        }
    }
}
