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
        var resume = new Option<bool>("--resume") { Description = "Continue the run whose checkpoint is in --out (same data; the hyperparameters come from the checkpoint)." };
        var preset = new Option<string?>("--preset", "-p") { Description = "Architecture preset: " + string.Join(", ", ConvMixerPresets.ByName.Keys) + "." };
        var dim = new Option<int>("--dim") { Description = "Width (when no preset).", DefaultValueFactory = _ => 256 };
        var depth = new Option<int>("--depth") { Description = "Number of layers (when no preset).", DefaultValueFactory = _ => 8 };
        var kernel = new Option<int>("--kernel") { Description = "Depthwise kernel size (when no preset).", DefaultValueFactory = _ => 5 };
        var patch = new Option<int>("--patch") { Description = "Patch size (when no preset).", DefaultValueFactory = _ => 2 };
        var pretrained = new Option<string?>("--pretrained") { Description = "Fine-tune from these weights (a training checkpoint, .safetensors, .pth or TorchSharp file); the head is replaced for the data's classes." };
        var freeze = new Option<int>("--freeze-body-epochs") { Description = "With --pretrained: train only the new head for this many first epochs.", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Passes over the training set.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch", "-b") { Description = "Images per batch.", DefaultValueFactory = _ => 128 };
        var accumulate = new Option<int>("--accumulate") { Description = "Batches per optimizer step (gradient accumulation).", DefaultValueFactory = _ => 1 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (AdamW).", DefaultValueFactory = _ => 0.01 };
        var weightDecay = new Option<double>("--wd") { Description = "AdamW weight decay.", DefaultValueFactory = _ => 0.01 };
        var schedule = new Option<ScheduleKind>("--schedule") { Description = "OneCycle (the official recipe), CosineWithWarmup or Constant.", DefaultValueFactory = _ => ScheduleKind.OneCycle };
        var warmup = new Option<double>("--warmup-epochs") { Description = "Warm-up of CosineWithWarmup, in epochs.", DefaultValueFactory = _ => 1.0 };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing in [0, 1).", DefaultValueFactory = _ => 0.0 };
        var clip = new Option<double?>("--clip-norm") { Description = "Clip the gradients' global L2 norm to this value." };
        var cropPadding = new Option<int>("--crop-padding") { Description = "Random-crop augmentation: zero padding on each side (0 = off).", DefaultValueFactory = _ => 0 };
        var flip = new Option<bool>("--flip") { Description = "Random horizontal flips." };
        var imageSize = new Option<int>("--image-size") { Description = "Side of the square images made from an image folder.", DefaultValueFactory = _ => 32 };
        var seed = new Option<long>("--seed") { Description = "Seed of initialisation, shuffling, augmentation and dropout.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training images (quick trials)." };
        var classNames = new Option<string?>("--class-names") { Description = "For IDX data: a text file with one class name per line, in label order (default: Fashion-MNIST's for a folder named after it, else the digits)." };

        var command = new Command("train", "Train or fine-tune a ConvMixer with AdamW and the official one-cycle schedule; checkpoints after every epoch.")
        {
            data, validation, output, resume, preset, dim, depth, kernel, patch, pretrained, freeze, epochs, batch, accumulate, lr, weightDecay,
            schedule, warmup, smoothing, clip, cropPadding, flip, imageSize, seed, threads, limit, classNames,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var request = new TrainRequest
            {
                Data = parse.GetRequiredValue(data),
                Validation = parse.GetValue(validation),
                Output = parse.GetRequiredValue(output),
                Resume = parse.GetValue(resume),
                Preset = parse.GetValue(preset),
                Dim = parse.GetValue(dim),
                Depth = parse.GetValue(depth),
                Kernel = parse.GetValue(kernel),
                Patch = parse.GetValue(patch),
                Pretrained = parse.GetValue(pretrained),
                ImageSize = parse.GetValue(imageSize),
                Threads = parse.GetValue(threads),
                Limit = parse.GetValue(limit),
                ClassNames = parse.GetValue(classNames) is { } file ? ClassLabels.FromFile(file).ToArray() : null,
                Options = new TrainerOptions
                {
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    AccumulationSteps = parse.GetValue(accumulate),
                    LearningRate = parse.GetValue(lr),
                    WeightDecay = parse.GetValue(weightDecay),
                    Schedule = parse.GetValue(schedule),
                    WarmupEpochs = parse.GetValue(warmup),
                    LabelSmoothing = parse.GetValue(smoothing),
                    GradientClipNorm = parse.GetValue(clip),
                    Augmentation = new Augmentation(parse.GetValue(cropPadding), parse.GetValue(flip)),
                    FreezeBodyEpochs = parse.GetValue(freeze),
                    Seed = parse.GetValue(seed),
                },
            };
            return Task.FromResult(Run(request, cancellationToken));
        });
        return command;
    }

    private static int Run(TrainRequest request, CancellationToken cancellationToken)
    {
        Runtime.ApplyThreads(request.Threads);

        var checkpointPath = Path.Combine(request.Output, TrainingCheckpoint.FileName);
        CheckpointState? saved = null;
        var options = request.Options with { OutputDirectory = request.Output };
        if (request.Resume)
        {
            if (!File.Exists(checkpointPath))
            {
                throw new UsageException($"--resume: there is no {TrainingCheckpoint.FileName} in '{request.Output}'.");
            }

            saved = TrainingCheckpoint.ReadState(checkpointPath);
            options = saved.Options with { OutputDirectory = request.Output };
        }

        if (request.ImageSize <= 0)
        {
            throw new UsageException("--image-size must be positive.");
        }

        if (request.Limit is <= 0)
        {
            throw new UsageException("--limit must be positive.");
        }

        var data = DataSource.LoadForTraining(request.Data, request.Validation, request.ImageSize, request.Limit, request.ClassNames);
        ReportData(data);
        using var model = BuildModel(request, saved, data.Train);
        if (saved is null)
        {
            options = options with { Data = DatasetStatistics.ForTraining(data.Train, request.Pretrained is null ? null : model) };
        }

        using var trainer = new Trainer(model, options);
        if (request.Resume)
        {
            var state = trainer.Resume(checkpointPath);
            Terminal.Out.MarkupLine($"Resuming after epoch {state.CompletedEpochs} of {options.Epochs} (step {state.GlobalStep}).");
        }

        Terminal.Out.MarkupLine(Markup.Escape($"Model: {model.Config}, {Terminal.Count(model.ParameterCount)} parameters; {options.Epochs} epochs, batch {options.BatchSize}, lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)} ({options.Schedule}), {torch.get_num_threads()} threads."));
        var result = Terminal.ShowsProgress
            ? FitWithProgressBar(trainer, data, cancellationToken)
            : trainer.Fit(data.Train, data.Validation, new InlineProgress<TrainingProgress>(PrintEpoch), cancellationToken);

        var plots = TrainingCurves.Write(request.Output, result.History);
        Terminal.Out.Write(TrainingTables.Epochs(result.History));
        if (result.FinalEvaluation is { } evaluation)
        {
            Terminal.Out.Write(TrainingTables.Confusion(evaluation));
            Terminal.Out.MarkupLine($"Validation accuracy: [bold]{TrainingTables.Percent(evaluation.Accuracy)}[/] ({evaluation.Correct}/{evaluation.Count}), loss {evaluation.Loss.ToString("F4", CultureInfo.InvariantCulture)}.");
        }

        Terminal.Out.MarkupLine(Markup.Escape(
            $"Wrote {checkpointPath}, {Path.Combine(request.Output, MetricsCsv.FileName)}, {string.Join(", ", plots)} and the model folder {request.Output} "
            + $"({ModelFolder.ConfigFileName} + {ModelFolder.SafetensorsFileName}, with the preprocessing and class names)."));
        return ExitCodes.Success;
    }

    private static ConvMixer BuildModel(TrainRequest request, CheckpointState? saved, ImageDataset train)
    {
        if (saved is not null)
        {
            return new ConvMixer(saved.ModelConfig);
        }

        if (request.Pretrained is { } path)
        {
            var pretrained = FineTuning.LoadPretrained(path, train.ClassCount);
            if (pretrained.Config.InChannels != train.Channels)
            {
                pretrained.Dispose();
                throw new UsageException($"The pretrained model takes {pretrained.Config.InChannels}-channel images, but the data has {train.Channels} channel(s).");
            }

            return pretrained;
        }

        var config = request.Preset is { } name
            ? ModelSource.Preset(name) with { NumClasses = train.ClassCount, InChannels = train.Channels }
            : new ConvMixerConfig(request.Dim, request.Depth, request.Kernel, request.Patch, train.ClassCount, train.Channels);
        try
        {
            config.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"Invalid architecture: {e.Message}");
        }

        torch.random.manual_seed(request.Options.Seed);
        return new ConvMixer(config);
    }

    private static void ReportData(DataSource.Loaded data)
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

    private static TrainingResult FitWithProgressBar(Trainer trainer, DataSource.Loaded data, CancellationToken cancellationToken)
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
