using System.Globalization;

namespace ConvMixerNet.Training;

/// <summary>
/// Whether a run may continue with the options it is asked for: one table gives every option's role
/// (<see cref="Rules"/>), and the checks return the conflicts as data for the caller to word. Used by
/// <c>convmixer train --resume</c> (every option typed) and by <see cref="Trainer.Resume"/> (the options that shape the run).
/// </summary>
public static class ResumeCompatibility
{
    /// <summary>Every option of a run, in the order conflicts are listed.</summary>
    public static IReadOnlyList<ResumeRule> Rules { get; } =
    [
        Match("--dim", "width", r => r.Dim, (s, _) => s.ModelConfig.Dim, shapesRun: true),
        Match("--depth", "depth", r => r.Depth, (s, _) => s.ModelConfig.Depth, shapesRun: true),
        Match("--kernel", "kernel size", r => r.Kernel, (s, _) => s.ModelConfig.KernelSize, shapesRun: true),
        Match("--patch", "patch size", r => r.Patch, (s, _) => s.ModelConfig.PatchSize, shapesRun: true),
        Match("--activation", "activation", r => r.Activation, (s, _) => s.ModelConfig.Activation, shapesRun: true),
        new("--preset", "preset", ResumeRole.MustMatch, ShapesRun: false, OverridesRecipe: true) { Conflict = PresetConflict },
        new("--pretrained", "starting weights", ResumeRole.MustMatch, ShapesRun: false, OverridesRecipe: false)
        {
            Conflict = (r, _) => new ResumeConflict("--pretrained", "(its checkpoint)", r.Pretrained ?? "(none)", "--pretrained (it starts a run; a resumed run continues from its checkpoint)"),
        },
        Match("--recipe", "recipe", r => r.Recipe, (s, _) => s.Options.Recipe, overridesRecipe: false),
        Match("--batch", "batch size", r => r.Options.BatchSize, (s, _) => s.Options.BatchSize, shapesRun: true),
        Match("--accumulate", "accumulation", r => r.Options.AccumulationSteps, (s, _) => s.Options.AccumulationSteps, shapesRun: true),
        Match("--seed", "seed", r => r.Options.Seed, (s, _) => s.Options.Seed, shapesRun: true, overridesRecipe: false),
        Match("--lr", "learning rate", r => r.Options.LearningRate, (s, _) => s.Options.LearningRate),
        Match("--wd", "weight decay", r => r.Options.WeightDecay, (s, _) => s.Options.WeightDecay),
        Match("--schedule", "schedule", r => r.Options.Schedule, (s, _) => s.Options.Schedule),
        Match("--warmup-epochs", "warm-up", r => r.Options.WarmupEpochs, (s, _) => s.Options.WarmupEpochs),
        Match("--label-smoothing", "label smoothing", r => r.Options.LabelSmoothing, (s, _) => s.Options.LabelSmoothing),
        Match("--clip-norm", "gradient clipping", r => r.Options.GradientClipNorm, (s, _) => s.Options.GradientClipNorm),
        Match("--crop-padding", "crop padding", r => r.Options.Augmentation.CropPadding, (s, _) => s.Options.Augmentation.CropPadding),
        Match("--flip", "flips", r => r.Options.Augmentation.HorizontalFlip, (s, _) => s.Options.Augmentation.HorizontalFlip),
        Match("--eval-tta", "validation views", r => r.Options.EvaluationAugmentation, (s, _) => s.Options.EvaluationAugmentation),
        Match("--reprob", "random erasing", r => r.Options.RandomErasing?.Probability ?? 0, (s, _) => s.Options.RandomErasing?.Probability ?? 0),
        Match("--mixup", "mixup", r => r.Options.Mixup?.MixupAlpha ?? 0, (s, _) => s.Options.Mixup?.MixupAlpha ?? 0),
        Match("--cutmix", "CutMix", r => r.Options.Mixup?.CutmixAlpha ?? 0, (s, _) => s.Options.Mixup?.CutmixAlpha ?? 0),
        Match("--model-ema", "weight EMA", r => r.Options.ModelEmaDecay is not null, (s, _) => s.Options.ModelEmaDecay is not null),
        Match("--model-ema-decay", "EMA decay", r => r.Options.ModelEmaDecay, (s, _) => s.Options.ModelEmaDecay),
        Match("--model-ema-warmup", "EMA warm-up", r => r.Options.ModelEmaWarmup, (s, _) => s.Options.ModelEmaWarmup),
        Match("--mixup-prob", "mixing probability", r => r.Options.Mixup?.Probability ?? 1.0, (s, _) => s.Options.Mixup?.Probability ?? 1.0),
        Match("--mixup-switch-prob", "CutMix probability", r => r.Options.Mixup?.SwitchProbability ?? 0.5, (s, _) => s.Options.Mixup?.SwitchProbability ?? 0.5),
        Match("--freeze-body-epochs", "frozen epochs", r => r.Options.FreezeBodyEpochs, (s, _) => s.Options.FreezeBodyEpochs),
        Match("--image-size", "image size", r => r.ImageSize, (s, r) => s.Options.Data?.InputSize ?? r.ImageSize),
        Match("--aa", "RandAugment", r => r.Options.ImageFolder?.AutoAugment, (s, _) => s.Options.ImageFolder?.AutoAugment),
        Match("--scale", "crop scale", r => Range(r.Options.ImageFolder, f => (f.ScaleMin, f.ScaleMax)), (s, _) => Range(s.Options.ImageFolder, f => (f.ScaleMin, f.ScaleMax))),
        Match("--ratio", "crop ratio", r => Range(r.Options.ImageFolder, f => (f.RatioMin, f.RatioMax)), (s, _) => Range(s.Options.ImageFolder, f => (f.RatioMin, f.RatioMax))),
        Match("--hflip", "flip probability", r => r.Options.ImageFolder?.HorizontalFlip, (s, _) => s.Options.ImageFolder?.HorizontalFlip),
        Match("--color-jitter", "colour jitter", r => r.Options.ImageFolder?.ColorJitter, (s, _) => s.Options.ImageFolder?.ColorJitter),
        Match("--train-interpolation", "crop filter", r => r.Options.ImageFolder?.TrainInterpolation, (s, _) => s.Options.ImageFolder?.TrainInterpolation),
        new("--streaming", "streamed images", ResumeRole.MustMatch, ShapesRun: false, OverridesRecipe: false) { Conflict = (_, s) => PathConflict("--streaming", streams: true, s) },
        new("--in-memory", "images in memory", ResumeRole.MustMatch, ShapesRun: false, OverridesRecipe: false) { Conflict = (_, s) => PathConflict("--in-memory", streams: false, s) },
        new("--epochs", "epochs", ResumeRole.MayChange, ShapesRun: false, OverridesRecipe: true),
        new("--channels-last", "channels-last layout", ResumeRole.MayChange, ShapesRun: false, OverridesRecipe: false),
        // The batches do not depend on the worker count.
        new("--workers", "decoding workers", ResumeRole.MayChange, ShapesRun: false, OverridesRecipe: false),
        // A resumed run keeps the path it chose; the budget only chooses it.
        .. new[] { "--data", "--val", "--out", "--resume", "--force", "--threads", "--limit", "--class-names", "--memory-budget" }
            .Select(option => new ResumeRule(option, option, ResumeRole.Ignored, ShapesRun: false, OverridesRecipe: false)),
    ];

    /// <summary>The options of <paramref name="request"/> chosen explicitly that must keep <paramref name="saved"/>'s values but differ.</summary>
    public static IReadOnlyList<ResumeConflict> Conflicts(TrainingRequest request, CheckpointState saved)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(saved);
        var conflicts = new List<ResumeConflict>();
        foreach (var rule in Rules.Where(r => r.Role == ResumeRole.MustMatch && request.Given.Contains(r.Option)))
        {
            if (rule.Conflict is { } worded)
            {
                if (worded(request, saved) is { } conflict)
                {
                    conflicts.Add(conflict);
                }

                continue;
            }

            var (requested, stored) = (rule.Requested!(request), rule.Stored!(saved, request));
            if (!Equals(requested, stored))
            {
                var (asked, has) = (Text(requested), Text(stored));
                conflicts.Add(new ResumeConflict(rule.Option, has, asked, $"{rule.Option} {asked} (the run has {has})"));
            }
        }

        return conflicts;
    }

    /// <summary>The conflicts between a checkpoint and a trainer for <paramref name="model"/> with <paramref name="options"/>: the options that shape the run.</summary>
    public static IReadOnlyList<ResumeConflict> Conflicts(TrainerOptions options, ConvMixerConfig model, CheckpointState saved)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        var request = new TrainingRequest
        {
            Data = string.Empty,
            Output = string.Empty,
            Dim = model.Dim,
            Depth = model.Depth,
            Kernel = model.KernelSize,
            Patch = model.PatchSize,
            Activation = model.Activation,
            Options = options,
            Given = Rules.Where(r => r.ShapesRun).Select(r => r.Option).ToHashSet(StringComparer.Ordinal),
        };
        return Conflicts(request, saved);
    }

    /// <summary>
    /// How the run of <paramref name="saved"/> continues when asked for <paramref name="request"/>: its stored options
    /// with what may change (more epochs, the memory layout), the conflicts, and a problem when the epochs cannot continue it.
    /// </summary>
    public static ResumePlan Plan(TrainingRequest request, CheckpointState saved)
    {
        var conflicts = Conflicts(request, saved);
        var options = saved.Options;
        var asked = request.Options;
        // The layout changes speed only.
        if (request.Given.Contains("--channels-last"))
        {
            options = options with { ChannelsLast = asked.ChannelsLast };
        }

        if (request.Given.Contains("--workers") && options.ImageFolder is { } folder && asked.ImageFolder is { } askedFolder)
        {
            options = options with { ImageFolder = folder with { Workers = askedFolder.Workers } };
        }

        if (!request.Given.Contains("--epochs") || asked.Epochs == options.Epochs)
        {
            return new ResumePlan(options, conflicts, null, null);
        }

        if (asked.Epochs <= saved.CompletedEpochs)
        {
            return new ResumePlan(options, conflicts, $"--epochs {asked.Epochs}: the run has already finished {saved.CompletedEpochs} epoch(s); ask for more to continue it.", null);
        }

        var note = $"--epochs {asked.Epochs} changes the run's {options.Epochs} epochs; the {options.Schedule} learning-rate schedule is recomputed over {asked.Epochs} epochs from step {saved.GlobalStep} on.";
        return new ResumePlan(options with { Epochs = asked.Epochs }, conflicts, null, note);
    }

    /// <summary>The options of <paramref name="given"/> that replace a recipe's values, in ordinal order.</summary>
    public static IReadOnlyList<string> RecipeOverrides(IEnumerable<string> given) =>
        given.Intersect(Rules.Where(r => r.OverridesRecipe).Select(r => r.Option)).Order(StringComparer.Ordinal).ToArray();

    private static ResumeRule Match(string option, string label, Func<TrainingRequest, object?> requested, Func<CheckpointState, TrainingRequest, object?> stored, bool shapesRun = false, bool overridesRecipe = true) =>
        new(option, label, ResumeRole.MustMatch, shapesRun, overridesRecipe) { Requested = requested, Stored = stored };

    private static ResumeConflict? PresetConflict(TrainingRequest request, CheckpointState saved)
    {
        var architecture = saved.ModelConfig;
        return request.Preset is { } preset && ConvMixerPresets.ByName.TryGetValue(preset, out var p)
            && (p.Dim, p.Depth, p.KernelSize, p.PatchSize) != (architecture.Dim, architecture.Depth, architecture.KernelSize, architecture.PatchSize)
            ? new ResumeConflict("--preset", architecture.ToString(), preset, $"--preset {preset} (the run is a {architecture})")
            : null;
    }

    private static string? Range(ImageFolderTrainingOptions? folder, Func<ImageFolderTrainingOptions, (double Min, double Max)> range) =>
        folder is null ? null : string.Create(CultureInfo.InvariantCulture, $"{range(folder).Min} {range(folder).Max}");

    private static ResumeConflict? PathConflict(string option, bool streams, CheckpointState saved) =>
        saved.Options.ImageFolder?.Streaming == streams
            ? null
            : new ResumeConflict(option, saved.Options.ImageFolder?.Streaming == true ? "streamed" : "in memory", option, $"{option} (the run reads its images {(saved.Options.ImageFolder?.Streaming == true ? "streamed" : "from memory")})");

    private static string Text(object? value) => string.Create(CultureInfo.InvariantCulture, $"{value ?? "(none)"}");
}
