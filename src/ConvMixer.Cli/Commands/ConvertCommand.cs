using System.CommandLine;
using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary>
/// <c>convmixer convert &lt;in&gt; &lt;out&gt;</c>: rewrite a model in another format, key layout or as a model folder,
/// carrying its configuration (preprocessing, class names) across; the preprocessing flags set it.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "The model: " + ModelSource.Kinds + "; timm or official layout." };
        var output = new Argument<string>("output")
        {
            Description = "What to write (atomically): a file whose extension gives the format (.safetensors keeps the configuration; .pth, .bin, .dat), "
                + "or a model folder (an existing folder, or a path ending in '/'): config.json + model.safetensors, as timm reads it.",
        };
        var format = new Option<CheckpointFormat?>("--format", "-f") { Description = "safetensors, pytorch or torchsharp (default: from the output's extension)." };
        var preset = ModelSource.PresetOption("The preset the input follows (gives the activation).");
        var activation = ModelSource.ActivationOption();
        var overwrite = new Option<bool>("--force") { Description = "Replace the output file (or the model folder's files) if they exist." };
        var opset = new Option<int>("--opset") { Description = "For an .onnx output: 17 (GELU as the Erf pattern ONNX Runtime fuses; any ONNX tool reads it) or 20 (the Gelu operator).", DefaultValueFactory = _ => 17 };
        opset.AcceptOnlyFromAmong("17", "20");
        var lastLayer = new Option<bool>("--last-layer-output")
        {
            Description = "For an .onnx output: also output the last ConvMixer layer's activations ('last_layer'), so 'convmixer explain --method eigencam' runs on it.",
        };
        var pytorchWeights = new Option<bool>("--pytorch-weights") { Description = "For a model folder: also write pytorch_model.bin, as timm's save_for_hf does." };
        var layout = new Option<string>("--layout")
        {
            Description = "Key layout of an output file: timm, or official (the official repository's flat nn.Sequential).",
            DefaultValueFactory = _ => "timm",
        };
        layout.AcceptOnlyFromAmong("timm", "official");
        var preprocessing = new PreprocessingOptions();

        var command = new Command("convert", "Convert a model between formats (.safetensors, PyTorch, TorchSharp, a model folder) and layouts (timm, official), keeping its configuration.")
        {
            input, output, format, layout, preset, activation, overwrite, pytorchWeights, opset, lastLayer,
        };
        foreach (var option in preprocessing.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => Run(
            parse.GetRequiredValue(input), parse.GetRequiredValue(output), parse.GetValue(format), parse.GetValue(layout) == "official" ? KeyLayout.Official : KeyLayout.Timm,
            ModelSource.LoadOptions(parse.GetValue(preset), parse.GetValue(activation)), parse.GetValue(overwrite), parse.GetValue(pytorchWeights),
            preprocessing.Overrides(parse), preprocessing.ReadLabels(parse), parse.GetValue(opset), parse.GetValue(lastLayer)));
        return command;
    }

    private static int Run(
        string input, string output, CheckpointFormat? format, KeyLayout layout, CheckpointLoadOptions loadOptions, bool overwrite, bool pytorchWeights,
        DataConfigOverrides overrides, ClassLabels? labels, int opset, bool lastLayer)
    {
        if (OnnxBackend.IsOnnxFile(output))
        {
            return ExportOnnx(input, output, format, layout, loadOptions, overwrite, overrides, labels, opset, lastLayer);
        }

        if (lastLayer)
        {
            throw new UsageException("--last-layer-output applies to an .onnx output; weights files hold no graph outputs.");
        }

        var toFolder = Directory.Exists(output) || output.EndsWith('/') || output.EndsWith(Path.DirectorySeparatorChar);
        if (toFolder && (format is not null || layout == KeyLayout.Official))
        {
            throw new UsageException("a model folder holds model.safetensors in timm's layout (what timm reads); --format and --layout official apply to single files.");
        }

        if (!toFolder && pytorchWeights)
        {
            throw new UsageException("--pytorch-weights applies to a model folder (an output path ending in '/').");
        }

        var target = toFolder ? Path.Combine(output, ModelFolder.ConfigFileName) : output;
        if ((File.Exists(target) || (toFolder && File.Exists(Path.Combine(output, ModelFolder.SafetensorsFileName)))) && !overwrite)
        {
            throw new UsageException($"'{(toFolder ? output : target)}' {(toFolder ? "already holds a model" : "exists")}; pass --force to replace it.");
        }

        if (!toFolder && Path.GetFullPath(input) == Path.GetFullPath(output))
        {
            throw new UsageException("the input and output are the same file.");
        }

        var extensionFormat = toFolder ? CheckpointFormat.Safetensors : CheckpointFormats.FromFileName(output);
        if (format is { } asked && extensionFormat is { } named && asked != named)
        {
            throw new UsageException($"--format {asked} does not match the extension of '{output}' ({named}); a file's name must say what it holds.");
        }

        if (extensionFormat == CheckpointFormat.TrainingCheckpoint || format == CheckpointFormat.TrainingCheckpoint)
        {
            throw new UsageException("training checkpoints are written by 'convmixer train'; convert writes .safetensors, .pth, .bin, .dat or a model folder.");
        }

        // A file's name must say what it holds.
        var chosenFormat = format ?? extensionFormat
            ?? throw new UsageException($"cannot tell the format from '{output}': use .safetensors, .pth, .bin or .dat, pass --format, or end the path with '/' for a model folder.");
        using var model = ModelSource.Load(input, loadOptions);
        ApplyConfiguration(model, overrides, labels);
        if (toFolder)
        {
            ModelFolder.Save(model, output, pytorchWeights);
        }
        else
        {
            model.SaveCheckpoint(output, chosenFormat, layout);
        }

        var written = toFolder ? Path.Combine(output, ModelFolder.SafetensorsFileName) : output;
        Terminal.Out.MarkupLine($"Wrote [bold]{Markup.Escape(output)}[/]: {Markup.Escape(model.Config.ToString())}, {Terminal.Count(model.ParameterCount)} parameters, {Terminal.Count(new FileInfo(written).Length)} bytes.");
        if (model.Pretrained is { } pretrained)
        {
            Terminal.Out.MarkupLine(Markup.Escape($"Configuration: {pretrained.Data}; {(pretrained.LabelNames is { } names ? $"{names.Count} class names" : "no class names")}."));
            if (chosenFormat != CheckpointFormat.Safetensors)
            {
                Console.Error.WriteLine($"note: the {chosenFormat} format has no room for the configuration (preprocessing, class names); write .safetensors or a model folder to keep it.");
            }
        }

        return ExitCodes.Success;
    }

    // An ONNX file with the configuration in its metadata, so ONNX Runtime alone classifies correctly.
    private static int ExportOnnx(
        string input, string output, CheckpointFormat? format, KeyLayout layout, CheckpointLoadOptions loadOptions, bool overwrite,
        DataConfigOverrides overrides, ClassLabels? labels, int opset, bool lastLayer)
    {
        if (format is not null || layout == KeyLayout.Official)
        {
            throw new UsageException("--format and --layout apply to weights files; an .onnx output is an ONNX graph.");
        }

        if (File.Exists(output) && !overwrite)
        {
            throw new UsageException($"'{output}' exists; pass --force to replace it.");
        }

        if (OnnxBackend.IsOnnxFile(input))
        {
            throw new UsageException("the input is already an ONNX file; convert reads weights (a file, model folder or checkpoint) to export.");
        }

        using var model = ModelSource.Load(input, loadOptions);
        ApplyConfiguration(model, overrides, labels);
        ConvMixerOnnxExporter.Export(model, output, options: new OnnxExportOptions
        {
            GeluForm = opset == 20 ? OnnxGeluForm.Gelu20 : OnnxGeluForm.ErfPattern,
            LastLayerOutput = lastLayer,
        });
        Terminal.Out.MarkupLine($"Wrote [bold]{Markup.Escape(output)}[/]: {Markup.Escape(model.Config.ToString())}, ONNX opset {opset}"
            + (lastLayer ? " with the last layer's output" : string.Empty) + $", {Terminal.Count(new FileInfo(output).Length)} bytes"
            + (model.Pretrained is null ? " (no stored configuration: give --input-size, --mean, --std, --labels to store one)." : ", with its preprocessing and class names."));
        return ExitCodes.Success;
    }

    // The stored configuration, with the flags applied; flags on a model without one start from the ImageNet defaults.
    private static void ApplyConfiguration(ConvMixer model, DataConfigOverrides overrides, ClassLabels? labels)
    {
        if (overrides.IsEmpty && labels is null)
        {
            return;
        }

        var current = model.Pretrained ?? new PretrainedConfig { Data = ResolvedPreprocessing.For(model.Config, null, new ImageClassifierOptions()).Data };
        var configured = current with
        {
            Data = PreprocessingOptions.Apply(overrides, current.Data),
            LabelNames = labels ?? current.LabelNames,
        };
        if (configured.ProblemsFor(model.Config) is [var first, ..])
        {
            throw new UsageException($"the configuration does not fit the model: {first.Message}");
        }

        model.Pretrained = configured;
    }
}
