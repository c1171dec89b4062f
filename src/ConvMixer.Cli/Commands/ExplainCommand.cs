using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary>
/// <c>convmixer explain --weights W [--class K] [--method gradcam|eigencam] [--out DIR] [--json] IMAGE…</c>: where the
/// model looked, as a class activation map per image (a table, JSON with the maps, and overlays as PNG files).
/// </summary>
internal static class ExplainCommand
{
    // The methods by the names the command line and the JSON use.
    private static readonly Dictionary<string, CamMethod> Methods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gradcam"] = CamMethod.GradCam,
        ["eigencam"] = CamMethod.EigenCam,
    };

    public static Command Create()
    {
        var images = new Argument<string[]>("images")
        {
            Description = "Image files (JPEG, PNG, WebP, BMP, GIF) and folders (searched recursively for those extensions).",
            Arity = ArgumentArity.OneOrMore,
        };
        var model = new ClassifierOptions();
        var classIndex = new Option<int?>("--class", "-c") { Description = "The class to explain, by index (default: each image's most probable class)." };
        var method = new Option<CamMethod>("--method", "-m")
        {
            HelpName = "gradcam|eigencam",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (Methods.TryGetValue(text, out var known))
                {
                    return known;
                }

                result.AddError($"Unknown method '{text}'. Known: {string.Join(", ", Methods.Keys)}.");
                return default;
            },
            Description = "gradcam (Grad-CAM, as pytorch-grad-cam computes it) or eigencam (EigenCAM: the first principal component of the last "
                + "layer's output; needs no gradients, so it also runs on .onnx models exported with that output).",
            DefaultValueFactory = _ => CamMethod.GradCam,
        };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "A folder (created if missing) to write each image's overlay to, as <image name>.cam.png: the map in viridis colours "
                + "over the image as the model saw it, at the model's input size.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Write the results as JSON to stdout instead of a table: one object per image with image, class, label, probability, "
                + "method and map (rows of numbers in [0, 1] at the last layer's resolution).",
        };

        var command = new Command("explain", "Show where the model looked: a class activation map (Grad-CAM or EigenCAM) on the last layer's patch grid for each image.")
        {
            images, model.Weights, classIndex, method, output, json, model.Preset, model.Activation, model.BatchSize, model.Precision, model.IgnoreExif,
        };
        foreach (var option in model.Preprocessing.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
            Run(parse.GetRequiredValue(images), model.Read(parse), parse.GetValue(classIndex), parse.GetValue(method), parse.GetValue(output), parse.GetValue(json)));
        return command;
    }

    private static int Run(string[] inputs, ClassifierRequest request, int? classIndex, CamMethod method, string? folder, bool json)
    {
        var (paths, unusable) = ImageInputs.Collect(inputs);
        if (folder is not null)
        {
            CheckOutputFolder(folder, paths);
        }

        using var classifier = request.Open();
        if (classIndex is { } k && (k < 0 || k >= classifier.Labels.Count))
        {
            throw new UsageException($"--class must be between 0 and {classifier.Labels.Count - 1} (the model has {classifier.Labels.Count} classes), not {k}.");
        }

        var explanations = classifier.ExplainMany(paths, classIndex, method); // refuses a method the backend cannot compute
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var results = Terminal.Collect(explanations, paths.Count, "Explaining", show: !json && paths.Count > classifier.Options.BatchSize);
        var overlays = 0;
        if (folder is not null)
        {
            foreach (var result in results.Where(r => r.Succeeded))
            {
                AtomicFile.WriteAllBytes(Path.Combine(folder, OverlayName(result.Source)), ExplanationOverlay.RenderPng(result.Explanation!));
                overlays++;
            }
        }

        results.AddRange(unusable.Select(p => new ImageExplanation(p.Path, null, p.Reason)));
        if (json)
        {
            WriteJson(results);
        }
        else
        {
            WriteTable(results);
            if (folder is not null)
            {
                Console.Out.WriteLine($"{overlays} overlay{(overlays == 1 ? string.Empty : "s")} written to {ImageInputs.DisplayPath(folder)} as <image name>.cam.png.");
            }
        }

        var failed = results.Count(r => !r.Succeeded);
        if (failed > 0)
        {
            foreach (var result in results.Where(r => !r.Succeeded))
            {
                Console.Error.WriteLine($"error: {result.Source}: {result.Error}");
            }

            Console.Error.WriteLine($"{failed} of {results.Count} images could not be explained.");
            return ExitCodes.SomeImagesFailed;
        }

        return ExitCodes.Success;
    }

    private static string OverlayName(string path) => Path.GetFileName(path) + ".cam.png";

    // Before any work: the folder must be one, and no two images may claim the same overlay file.
    private static void CheckOutputFolder(string folder, List<string> paths)
    {
        if (File.Exists(folder) || FileKind.IsSpecial(folder))
        {
            throw new UsageException($"--out must be a folder, but '{folder}' is a file.");
        }

        var clash = paths.GroupBy(OverlayName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new UsageException(
                $"{string.Join(" and ", clash.Take(2))} would both be written to {Path.Combine(folder, clash.Key)}; explain them with separate --out folders.");
        }
    }

    private static string MethodName(CamMethod method) => Methods.First(m => m.Value == method).Key;

    // One row per image; like predict's table, only the image column folds. Peak: the map's strongest cell.
    private static void WriteTable(List<ImageExplanation> results)
    {
        var table = new Table()
            .AddColumn(new TableColumn("Image"))
            .AddColumn(new TableColumn("Label").NoWrap())
            .AddColumn(new TableColumn("Class").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Probability").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Peak (row, column)").NoWrap());

        foreach (var result in results)
        {
            var cells = new List<Spectre.Console.Rendering.IRenderable> { new Text(ImageInputs.DisplayPath(result.Source)) { Overflow = Overflow.Fold } };
            if (result.Explanation is not { } e)
            {
                cells.Add(new Markup($"[red]error: {Markup.Escape(result.Error!)}[/]"));
                cells.AddRange(Enumerable.Repeat<Spectre.Console.Rendering.IRenderable>(Text.Empty, 3));
            }
            else
            {
                var peak = Enumerable.Range(0, e.Map.Count).MaxBy(i => e.Map[i]);
                cells.Add(new Text(e.Label));
                cells.Add(new Text(e.ClassIndex.ToString(CultureInfo.InvariantCulture)));
                cells.Add(new Text(e.Probability.ToString("P2", CultureInfo.InvariantCulture)));
                cells.Add(new Text(string.Create(CultureInfo.InvariantCulture, $"{peak / e.Columns}, {peak % e.Columns} of {e.Rows}x{e.Columns}")));
            }

            table.AddRow(cells);
        }

        Terminal.Out.Write(table);
    }

    // An array of objects like predict's; each map row on one line, so a 32×32 map takes 32 lines.
    private static void WriteJson(List<ImageExplanation> results)
    {
        var maps = new List<float[][]>();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var result in results)
            {
                writer.WriteStartObject();
                writer.WriteString("image", result.Source);
                if (result.Explanation is { } e)
                {
                    writer.WriteNumber("class", e.ClassIndex);
                    writer.WriteString("label", e.Label);
                    writer.WriteNumber("probability", e.Probability);
                    writer.WriteString("method", MethodName(e.Method));
                    // A placeholder the rows replace below: a NUL cannot come from a path, so it cannot clash.
                    writer.WriteString("map", $"\0map{maps.Count}");
                    maps.Add(e.ToRows());
                    writer.WriteNull("error");
                }
                else
                {
                    foreach (var key in new[] { "class", "label", "probability", "method", "map" })
                    {
                        writer.WriteNull(key);
                    }

                    writer.WriteString("error", result.Error);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        var text = new StringBuilder(Encoding.UTF8.GetString(buffer.ToArray()));
        for (var i = 0; i < maps.Count; i++)
        {
            var rows = maps[i].Select(row => "      " + JsonSerializer.Serialize(row));
            text.Replace($"\"\\u0000map{i}\"", "[\n" + string.Join(",\n", rows) + "\n    ]");
        }

        Console.Out.WriteLine(text.ToString());
    }
}
