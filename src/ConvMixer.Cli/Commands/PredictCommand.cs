using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ConvMixerNet.Vision;
using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary><c>convmixer predict --weights &lt;file&gt; &lt;images or folders…&gt;</c>: top-k classes per image.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images")
        {
            Description = "Image files (JPEG, PNG, WebP, BMP, GIF) and folders (searched recursively for those extensions).",
            Arity = ArgumentArity.OneOrMore,
        };
        var model = new ClassifierOptions();
        var top = new Option<int>("--top", "-k") { Description = "How many classes to show per image.", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var json = new Option<bool>("--json") { Description = "Write the results as JSON to stdout instead of a table." };

        var command = new Command("predict", "Classify images and print the top classes of each, with the model's own preprocessing and class names.")
        {
            images, model.Weights, model.Preset, model.Activation, top, json, model.BatchSize, model.Precision, model.IgnoreExif,
        };
        foreach (var option in model.Preprocessing.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => Run(parse.GetRequiredValue(images), model.Read(parse), parse.GetValue(top), parse.GetValue(json)));
        return command;
    }

    private static int Run(string[] inputs, ClassifierRequest request, int top, bool json)
    {
        var (paths, unusable) = ImageInputs.Collect(inputs);
        using var classifier = request.Open();
        top = Math.Min(top, classifier.Labels.Count);

        var results = Terminal.Collect(classifier.ClassifyMany(paths, top), paths.Count, "Classifying", show: !json && paths.Count > classifier.Options.BatchSize);
        results.AddRange(unusable.Select(p => new ImageClassification(p.Path, [], p.Reason)));

        if (json)
        {
            WriteJson(results);
        }
        else
        {
            WriteTable(results);
        }

        var failed = results.Count(r => !r.Succeeded);
        if (failed > 0)
        {
            foreach (var result in results.Where(r => !r.Succeeded))
            {
                Console.Error.WriteLine($"error: {result.Source}: {result.Error}");
            }

            Console.Error.WriteLine($"{failed} of {results.Count} images could not be classified.");
            return ExitCodes.SomeImagesFailed;
        }

        return ExitCodes.Success;
    }

    // One row per predicted class. Labels and numbers never wrap; only the image column folds, so a long path takes
    // more lines instead of splitting a label or a probability. --json is the machine-readable form.
    private static void WriteTable(List<ImageClassification> results)
    {
        var table = new Table()
            .AddColumn(new TableColumn("Image"))
            .AddColumn(new TableColumn("#").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Label").NoWrap())
            .AddColumn(new TableColumn("Class").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Probability").RightAligned().NoWrap());
        foreach (var result in results)
        {
            var name = new Text(ImageInputs.DisplayPath(result.Source)) { Overflow = Overflow.Fold };
            if (!result.Succeeded)
            {
                table.AddRow(name, Text.Empty, new Markup($"[red]error: {Markup.Escape(result.Error!)}[/]"), Text.Empty, Text.Empty);
                continue;
            }

            for (var rank = 0; rank < result.Predictions.Count; rank++)
            {
                var p = result.Predictions[rank];
                table.AddRow(
                    rank == 0 ? name : Text.Empty,
                    new Text((rank + 1).ToString(CultureInfo.InvariantCulture)),
                    new Text(p.Label),
                    new Text(p.ClassIndex.ToString(CultureInfo.InvariantCulture)),
                    new Text(p.Probability.ToString("P2", CultureInfo.InvariantCulture)));
            }
        }

        Terminal.Out.Write(table);
    }

    private static void WriteJson(List<ImageClassification> results)
    {
        var document = results.Select(r => new
        {
            image = r.Source,
            predictions = r.Predictions.Select(p => new { index = p.ClassIndex, label = p.Label, probability = p.Probability }),
            error = r.Error,
        });
        Console.Out.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }
}
