using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary><c>convmixer eval</c>: accuracy, loss, per-class recall and the confusion matrix of a model on labelled data.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var weights = new Option<string>("--weights", "-w") { Description = "The model: " + ModelSource.Kinds + ". Its stored preprocessing and class names are used.", Required = true };
        var data = new Option<string>("--data", "-d") { Description = "An MNIST-layout IDX directory (its test split is used) or an image folder (its val/ or test/ sub-folder if present).", Required = true };
        var batch = new Option<int>("--batch", "-b") { Description = "Images per forward pass.", DefaultValueFactory = _ => 256 }.AtLeast(1);
        var preprocessing = new PreprocessingOptions();
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." }.AtLeast(1);
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N images." }.AtLeast(1);
        var tta = new Option<TestTimeAugmentation>("--tta") { Description = "Test-time augmentation: None, HorizontalFlip (average the logits of each image and its mirror image), or HorizontalFlipAndShifts (of the image moved by up to one pixel in every direction and the mirror of each: 18 views).", DefaultValueFactory = _ => TestTimeAugmentation.None };
        var command = new Command("eval", "Evaluate a model on labelled data: accuracy, loss, per-class recall and confusion matrix.")
        {
            weights, data, batch, threads, limit, tta,
        };
        foreach (var option in preprocessing.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            var options = new ImageClassifierOptions { Overrides = preprocessing.Overrides(parse), Labels = preprocessing.ReadLabels(parse) };
            if (parse.GetValue(limit) is <= 0)
            {
                throw new UsageException("--limit must be positive.");
            }

            return Task.FromResult(Run(
                parse.GetRequiredValue(weights), parse.GetRequiredValue(data), parse.GetValue(batch), options,
                parse.GetValue(threads), parse.GetValue(limit), parse.GetValue(tta), cancellationToken));
        });
        return command;
    }

    private static int Run(string weightsPath, string dataPath, int batch, ImageClassifierOptions options, int? threads, int? limit, TestTimeAugmentation tta, CancellationToken cancellationToken)
    {
        Runtime.ApplyThreads(threads);
        using var model = ModelSource.LoadForInference(weightsPath, new CheckpointLoadOptions(), InferencePrecision.Float32, threads);
        var resolved = ResolvedPreprocessing.For(model.Architecture, model.Pretrained, options);
        if (resolved.Assumption is { } assumed)
        {
            Console.Error.WriteLine($"warning: {assumed}");
        }

        // Stored (or given) class names are the folder names to expect; placeholder names are not.
        var classNames = options.Labels is not null || model.Pretrained?.LabelNames is not null ? resolved.Labels.ToArray() : null;
        var (dataset, skipped) = DataSource.LoadForEvaluation(dataPath, classNames, resolved.Data, limit);
        foreach (var s in skipped)
        {
            Console.Error.WriteLine($"warning: skipped {s.Path}: {s.Reason}");
        }

        if (dataset.Channels != model.Architecture.InChannels)
        {
            throw new UsageException($"The model takes {model.Architecture.InChannels}-channel images, but the data has {dataset.Channels} channel(s).");
        }

        if (dataset.ClassCount != model.Architecture.NumClasses)
        {
            throw new UsageException($"The data has {dataset.ClassCount} classes ({string.Join(", ", dataset.ClassNames.Take(5))}…), but the model has {model.Architecture.NumClasses}.");
        }

        var result = Evaluator.Evaluate(model, dataset, resolved.Data, batch, cancellationToken: cancellationToken, testTimeAugmentation: tta);
        Terminal.Out.Write(TrainingTables.Confusion(result));
        var skippedNote = skipped.Count > 0 ? $"; {skipped.Count} unreadable image(s) skipped." : ".";
        Terminal.Out.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Accuracy {100 * result.Accuracy:F2} % ({result.Correct}/{result.Count}), loss {result.Loss:F4}{(tta == TestTimeAugmentation.None ? string.Empty : $" (test-time augmentation: {tta})")}{skippedNote}")));
        return ExitCodes.Success;
    }
}
