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
        var weights = new Option<string>("--weights", "-w") { Description = "The model: " + ModelSource.Kinds + ".", Required = true };
        var preset = ModelSource.PresetOption("The preset the weights follow (gives the activation).");
        var activation = ModelSource.ActivationOption();
        var top = new Option<int>("--top", "-k") { Description = "How many classes to show per image.", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var json = new Option<bool>("--json") { Description = "Write the results as JSON to stdout instead of a table." };
        var preprocessing = new PreprocessingOptions();
        var batch = new Option<int>("--batch-size", "-b") { Description = "Images per forward pass.", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var precision = new Option<InferencePrecision>("--precision") { Description = "float32 or bfloat16.", DefaultValueFactory = _ => InferencePrecision.Float32 };
        var ignoreExif = new Option<bool>("--ignore-exif-orientation") { Description = "Use stored pixels as they are, as timm's loader does." };

        var command = new Command("predict", "Classify images and print the top classes of each, with the model's own preprocessing and class names.")
        {
            images, weights, preset, activation, top, json, batch, precision, ignoreExif,
        };
        foreach (var option in preprocessing.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var precisionValue = parse.GetValue(precision);
            Runtime.CpuDType(precisionValue);
            var options = new ImageClassifierOptions
            {
                Overrides = preprocessing.Overrides(parse),
                Labels = preprocessing.ReadLabels(parse),
                BatchSize = parse.GetValue(batch),
                Precision = precisionValue,
                ApplyExifOrientation = !parse.GetValue(ignoreExif),
            };
            var loadOptions = ModelSource.LoadOptions(parse.GetValue(preset), parse.GetValue(activation));
            return Run(parse.GetRequiredValue(images), parse.GetRequiredValue(weights), loadOptions, options, parse.GetValue(top), parse.GetValue(json));
        });
        return command;
    }

    private static int Run(string[] inputs, string weights, CheckpointLoadOptions loadOptions, ImageClassifierOptions options, int top, bool json)
    {
        var (paths, unusable) = CollectImages(inputs);
        using var classifier = Classifier(weights, loadOptions, options);
        if (classifier.AssumedDefaults is { } assumed)
        {
            Console.Error.WriteLine($"warning: {assumed}");
        }

        top = Math.Min(top, classifier.Labels.Count);

        var results = new List<ImageClassification>(paths.Count);
        if (!json && Terminal.ShowsProgress && paths.Count > options.BatchSize)
        {
            Terminal.Progress.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask("Classifying", maxValue: paths.Count);
                    foreach (var result in classifier.ClassifyMany(paths, top))
                    {
                        results.Add(result);
                        task.Increment(1);
                    }
                });
        }
        else
        {
            results.AddRange(classifier.ClassifyMany(paths, top));
        }

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

    private static ImageClassifier Classifier(string weights, CheckpointLoadOptions loadOptions, ImageClassifierOptions options)
    {
        var model = ModelSource.LoadForInference(weights, loadOptions, options.Precision, threads: null);
        try
        {
            return new ImageClassifier(model, options);
        }
        catch (ArgumentException e)
        {
            model.Dispose();
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // Files as given (whatever their extension), and image files found under folders, each real file once, in a
    // stable order; entries of folders that cannot be read are reported with the results.
    private static (List<string> Paths, List<ScanProblem> Unusable) CollectImages(string[] inputs)
    {
        var paths = new List<string>();
        var unusable = new List<ScanProblem>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var scan = FolderScanner.FindFiles(input, ImageDecoder.FileExtensions);
                paths.AddRange(scan.Files);
                unusable.AddRange(scan.Problems);
            }
            else
            {
                paths.Add(input); // a missing file becomes an error result, reported with the others
            }
        }

        return paths.Count + unusable.Count > 0 ? (paths, unusable) : throw new UsageException($"no images found in {string.Join(", ", inputs)}.");
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
            var name = new Text(DisplayPath(result.Source)) { Overflow = Overflow.Fold };
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

    // The path as the user gave it, or relative to the current folder when that is shorter.
    private static string DisplayPath(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(path));
        return relative.Length < path.Length ? relative : path;
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
