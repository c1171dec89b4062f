using System.CommandLine;
using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary><c>convmixer convert &lt;in&gt; &lt;out&gt;</c>: rewrite a checkpoint in another format or key layout.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "Any checkpoint ConvMixer reads: timm or official layout; .safetensors, PyTorch (.pth/.bin/.pth.tar) or TorchSharp (.dat)." };
        var output = new Argument<string>("output") { Description = "The file to write (atomically); the format follows the extension unless --format is given." };
        var format = new Option<CheckpointFormat?>("--format", "-f") { Description = "safetensors, pytorch or torchsharp (default: from the output's extension)." };
        var preset = ModelSource.PresetOption("The preset the input follows (gives the activation).");
        var activation = ModelSource.ActivationOption();
        var overwrite = new Option<bool>("--force") { Description = "Replace the output file if it exists." };
        var layout = new Option<string>("--layout")
        {
            Description = "Key layout of the output: timm (any format) or official (the official repository's flat nn.Sequential; PyTorch format only).",
            DefaultValueFactory = _ => "timm",
        };
        layout.AcceptOnlyFromAmong("timm", "official");

        var command = new Command("convert", "Convert a checkpoint between formats (.safetensors with the hyperparameters in the metadata, PyTorch, TorchSharp) and layouts (timm, official).")
        {
            input, output, format, layout, preset, activation, overwrite,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(input), parse.GetRequiredValue(output), parse.GetValue(format), parse.GetValue(layout) == "official",
            ModelSource.LoadOptions(parse.GetValue(preset), parse.GetValue(activation)), parse.GetValue(overwrite)));
        return command;
    }

    private static int Run(string input, string output, CheckpointFormat? format, bool official, CheckpointLoadOptions loadOptions, bool overwrite)
    {
        if (official && format is not (null or CheckpointFormat.PyTorch))
        {
            throw new UsageException("--layout official is written as a PyTorch state dict (the official code loads it with torch.load); drop --format or use --format pytorch.");
        }

        if (File.Exists(output) && !overwrite)
        {
            throw new UsageException($"'{output}' exists; pass --force to replace it.");
        }

        if (Path.GetFullPath(input) == Path.GetFullPath(output))
        {
            throw new UsageException("the input and output are the same file.");
        }

        using var model = ConvMixer.FromCheckpoint(input, loadOptions);
        if (official)
        {
            OfficialLayout.Save(model, output);
        }
        else
        {
            model.SaveCheckpoint(output, format);
        }

        Terminal.Out.MarkupLine($"Wrote [bold]{Markup.Escape(output)}[/]: {Markup.Escape(model.Config.ToString())}, {Terminal.Count(model.ParameterCount)} parameters, {Terminal.Count(new FileInfo(output).Length)} bytes.");
        return ExitCodes.Success;
    }
}
