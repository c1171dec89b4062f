using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TorchSharp;

namespace ConvMixerNet.Cli;

/// <summary><c>convmixer info &lt;checkpoint|preset&gt;</c>: architecture, parameters, MACs and a state-dict summary.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model-or-preset")
        {
            Description = "The model (" + ModelSource.Kinds + ") or a preset name: " + string.Join(", ", ConvMixerPresets.ByName.Keys) + ".",
        };
        var preset = ModelSource.PresetOption("For weights: the preset they follow (gives the activation).");
        var activation = ModelSource.ActivationOption();
        var preprocessing = new PreprocessingOptions();
        preprocessing.InputSize.Description = "Image side used to count multiply-accumulates (default: the model's input size, else 224).";

        var command = new Command("info", "Show a model's architecture, configuration (preprocessing, classes, source), parameters, multiply-accumulates and state dict.")
        {
            model, preset, activation,
        };
        foreach (var option in preprocessing.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => Run(
            parse.GetRequiredValue(model), ModelSource.LoadOptions(parse.GetValue(preset), parse.GetValue(activation)),
            new ImageClassifierOptions { Overrides = preprocessing.Overrides(parse), Labels = preprocessing.ReadLabels(parse) }));
        return command;
    }

    private static int Run(string source, CheckpointLoadOptions loadOptions, ImageClassifierOptions options)
    {
        var exists = File.Exists(source) || Directory.Exists(source) || FileKind.IsSpecial(source);
        // A preset's name shows its architecture without downloading; hf-hub: and timm's names load the published model.
        var isPreset = ConvMixerPresets.ByName.ContainsKey(source) && !exists;
        if (!exists && !isPreset && !HubReference.HasPrefix(source) && ModelReference.ToHubReference(source) is null)
        {
            throw new UsageException($"'{source}' is neither a model (a file or model folder) nor a preset. Known presets: {string.Join(", ", ConvMixerPresets.ByName.Keys)}.");
        }

        using var model = isPreset ? PresetModel(source) : ModelSource.Load(source, loadOptions);
        var config = model.Config;
        var resolved = ResolvedPreprocessing.For(config, model.Pretrained, options);
        var inputSize = resolved.Data.InputSize;
        if (inputSize < config.PatchSize)
        {
            throw new UsageException($"--input-size {inputSize} is smaller than the patch size {config.PatchSize}.");
        }

        var grid = inputSize / config.PatchSize;
        long macs;
        try
        {
            macs = config.MultiplyAccumulates(inputSize, inputSize);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new UsageException($"--input-size {inputSize}: the multiply-accumulates of {config} at {inputSize}x{inputSize} do not fit in a 64-bit count.");
        }
        var title = isPreset ? $"[bold]{Markup.Escape(source)}[/] (preset)" : $"[bold]{Markup.Escape(Path.GetFileName(Path.TrimEndingDirectorySeparator(source)))}[/]";
        var architecture = new Table().Title(title).AddColumn("Property").AddColumn(new TableColumn("Value"));
        architecture.AddRow("Architecture", Markup.Escape(config.ToString()));
        architecture.AddRow("Matches preset", ModelSource.MatchingPreset(config) ?? "none");
        architecture.AddRow("Dim / depth", $"{config.Dim} / {config.Depth}");
        architecture.AddRow("Kernel / patch", $"{config.KernelSize} / {config.PatchSize}");
        architecture.AddRow("Activation", config.Activation.ToString());
        architecture.AddRow("Classes", config.NumClasses.ToString(CultureInfo.InvariantCulture));
        architecture.AddRow("Parameters", Terminal.Count(model.ParameterCount));
        architecture.AddRow($"MACs at {inputSize}x{inputSize}", $"{Terminal.Count(macs)} ({(macs / 1e9).ToString("F2", CultureInfo.InvariantCulture)} G)");
        architecture.AddRow("Token grid", $"{grid}x{grid} patches of {config.PatchSize}x{config.PatchSize}");
        architecture.AddRow("Preprocessing", Markup.Escape(resolved.Data.ToString() + (model.Pretrained is null && options.Overrides.IsEmpty ? " (not stored: defaults)" : string.Empty)));
        architecture.AddRow("Class names", Markup.Escape(DescribeLabels(resolved.Labels, stored: options.Labels is not null || model.Pretrained?.LabelNames is not null)));
        if (model.Pretrained is { } pretrained)
        {
            foreach (var (name, value) in new[] { ("Source", pretrained.Source), ("License", pretrained.License), ("Description", pretrained.Description) })
            {
                if (value is not null)
                {
                    architecture.AddRow(name, Markup.Escape(value));
                }
            }

            if (pretrained.Metrics is { Count: > 0 } metrics)
            {
                architecture.AddRow("Metrics", Markup.Escape(string.Join(", ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:G4}")))));
            }
        }

        if (!isPreset && File.Exists(source))
        {
            architecture.AddRow("File size", $"{Terminal.Count(new FileInfo(source).Length)} bytes");
        }

        if (resolved.Assumption is { } assumed)
        {
            Console.Error.WriteLine($"warning: {assumed}");
        }

        Terminal.Out.Write(architecture);
        Terminal.Out.Write(StateDictSummary(model));
        return ExitCodes.Success;
    }

    // A preset's architecture with its published weights' configuration.
    private static ConvMixer PresetModel(string name)
    {
        var model = new ConvMixer(ModelSource.Preset(name));
        model.Pretrained = ConvMixerPresets.PretrainedFor(name);
        return model;
    }

    private static string DescribeLabels(ClassLabels labels, bool stored)
    {
        var first = string.Join(", ", labels.Take(3)) + (labels.Count > 3 ? ", …" : string.Empty);
        return $"{labels.Count} ({first}){(stored ? string.Empty : " (not stored: defaults)")}";
    }

    // One row per tensor of the stem and head, and the first block's tensors standing for all blocks.
    private static Table StateDictSummary(ConvMixer model)
    {
        var entries = model.state_dict();
        var table = new Table().Title("[bold]State dict[/] (timm keys)").AddColumn("Key").AddColumn("Shape").AddColumn("Dtype").AddColumn(new TableColumn("Elements").RightAligned());
        foreach (var (key, tensor) in entries)
        {
            var isBlock = key.StartsWith("blocks.", StringComparison.Ordinal);
            if (isBlock && !key.StartsWith("blocks.0.", StringComparison.Ordinal))
            {
                continue;
            }

            var shown = isBlock ? "blocks.{i}." + key["blocks.0.".Length..] : key;
            var count = isBlock ? $"{Terminal.Count(tensor.numel())} × {model.Config.Depth}" : Terminal.Count(tensor.numel());
            table.AddRow(Markup.Escape(shown), Markup.Escape("[" + string.Join(", ", tensor.shape) + "]"), tensor.dtype.ToString(), count);
        }

        var totalElements = entries.Values.Sum(t => t.numel());
        var totalBytes = entries.Values.Sum(t => t.numel() * t.ElementSize);
        table.Caption($"{entries.Count} tensors, {Terminal.Count(totalElements)} values, {Terminal.Count(totalBytes)} bytes");
        return table;
    }
}
