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
        var model = new Argument<string>("checkpoint-or-preset")
        {
            Description = "A checkpoint file (.safetensors, .pth/.bin/.pth.tar, TorchSharp .dat) or a preset name: "
                + string.Join(", ", ConvMixerPresets.ByName.Keys) + ".",
        };
        var inputSize = new Option<int>("--input-size")
        {
            Description = "Image side used to count multiply-accumulates.",
            DefaultValueFactory = _ => 224,
        };
        var preset = ModelSource.PresetOption("For a checkpoint: the preset it follows (gives the activation).");
        var activation = ModelSource.ActivationOption();

        var command = new Command("info", "Show a model's architecture, parameter count, multiply-accumulates and state dict.")
        {
            model, inputSize, preset, activation,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(model), parse.GetValue(inputSize), parse.GetValue(preset), parse.GetValue(activation)));
        return command;
    }

    private static int Run(string source, int inputSize, string? preset, Activation? activation)
    {
        if (inputSize <= 0)
        {
            throw new UsageException($"--input-size must be positive, not {inputSize}.");
        }

        var isFile = File.Exists(source);
        if (!isFile && !ConvMixerPresets.ByName.ContainsKey(source))
        {
            throw new UsageException($"'{source}' is neither a file nor a preset. Known presets: {string.Join(", ", ConvMixerPresets.ByName.Keys)}.");
        }

        using var model = isFile
            ? ConvMixer.FromCheckpoint(source, ModelSource.LoadOptions(preset, activation))
            : new ConvMixer(ModelSource.Preset(source));
        var config = model.Config;
        if (inputSize < config.PatchSize)
        {
            throw new UsageException($"--input-size {inputSize} is smaller than the patch size {config.PatchSize}.");
        }

        var grid = inputSize / config.PatchSize;
        var macs = ModelComplexity.MultiplyAccumulates(config, inputSize, inputSize);

        var architecture = new Table().Title(isFile ? $"[bold]{Markup.Escape(Path.GetFileName(source))}[/]" : $"[bold]{Markup.Escape(source)}[/] (preset)")
            .AddColumn("Property").AddColumn("Value");
        architecture.AddRow("Architecture", Markup.Escape(config.ToString()));
        architecture.AddRow("Matches preset", ModelSource.MatchingPreset(config) ?? "none");
        architecture.AddRow("Dim / depth", $"{config.Dim} / {config.Depth}");
        architecture.AddRow("Kernel / patch", $"{config.KernelSize} / {config.PatchSize}");
        architecture.AddRow("Activation", config.Activation.ToString());
        architecture.AddRow("Classes", config.NumClasses.ToString(CultureInfo.InvariantCulture));
        architecture.AddRow("Parameters", Terminal.Count(model.ParameterCount));
        architecture.AddRow($"MACs at {inputSize}x{inputSize}", $"{Terminal.Count(macs)} ({(macs / 1e9).ToString("F2", CultureInfo.InvariantCulture)} G)");
        architecture.AddRow("Token grid", $"{grid}x{grid} patches of {config.PatchSize}x{config.PatchSize}");
        if (isFile)
        {
            architecture.AddRow("File size", $"{Terminal.Count(new FileInfo(source).Length)} bytes");
        }

        Terminal.Out.Write(architecture);
        Terminal.Out.Write(StateDictSummary(model));
        return ExitCodes.Success;
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
