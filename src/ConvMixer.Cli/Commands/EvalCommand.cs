using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TorchSharp;

namespace ConvMixerNet.Cli;

/// <summary><c>convmixer eval</c>: accuracy, loss, per-class recall and the confusion matrix of trained weights on labelled data.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var weights = new Option<string>("--weights", "-w") { Description = "A checkpoint.ckpt written by 'convmixer train' (or timm/official weights for 3-channel images, normalised with ImageNet statistics).", Required = true };
        var data = new Option<string>("--data", "-d") { Description = "An MNIST-layout IDX directory (its test split is used) or an image folder (its val/ or test/ sub-folder if present).", Required = true };
        var batch = new Option<int>("--batch", "-b") { Description = "Images per forward pass.", DefaultValueFactory = _ => 256 };
        var imageSize = new Option<int?>("--image-size") { Description = "Side of the square images made from an image folder (default: the training run's, or 224)." };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N images." };
        var command = new Command("eval", "Evaluate weights on labelled data: accuracy, loss, per-class recall and confusion matrix.")
        {
            weights, data, batch, imageSize, threads, limit,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            parse.GetRequiredValue(weights), parse.GetRequiredValue(data), parse.GetValue(batch), parse.GetValue(imageSize),
            parse.GetValue(threads), parse.GetValue(limit), cancellationToken)));
        return command;
    }

    private static int Run(string weightsPath, string dataPath, int batch, int? imageSize, int? threads, int? limit, CancellationToken cancellationToken)
    {
        if (batch <= 0 || threads <= 0 || imageSize <= 0)
        {
            throw new UsageException("--batch, --threads and --image-size must be positive.");
        }

        if (threads is { } count)
        {
            torch.set_num_threads(count);
        }

        ConvMixer model;
        Normalization normalization;
        IReadOnlyList<string>? classNames = null;
        var side = imageSize ?? 224;
        if (TrainingCheckpoint.IsTrainingCheckpoint(weightsPath))
        {
            var state = TrainingCheckpoint.ReadState(weightsPath);
            normalization = state.Options.Normalization;
            classNames = state.ClassNames;
            model = TrainingCheckpoint.LoadModel(weightsPath);
            side = imageSize ?? 32;
        }
        else
        {
            model = ConvMixer.FromCheckpoint(weightsPath);
            normalization = Normalization.ImageNet;
        }

        using (model)
        {
            var (dataset, skipped) = DataSource.LoadForEvaluation(dataPath, classNames, side, limit);
            foreach (var s in skipped)
            {
                Console.Error.WriteLine($"warning: skipped {s.Path}: {s.Reason}");
            }

            if (dataset.Channels != model.Config.InChannels)
            {
                throw new UsageException($"The model takes {model.Config.InChannels}-channel images, but the data has {dataset.Channels} channel(s).");
            }

            var result = Evaluator.Evaluate(model, dataset, normalization, batch, cancellationToken: cancellationToken);
            Terminal.Out.Write(TrainingTables.Confusion(result));
            var skippedNote = skipped.Count > 0 ? $"; {skipped.Count} unreadable image(s) skipped." : ".";
            Terminal.Out.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Accuracy {100 * result.Accuracy:F2} % ({result.Correct}/{result.Count}), loss {result.Loss:F4}{skippedNote}")));
        }

        return ExitCodes.Success;
    }
}
