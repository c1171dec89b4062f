using System.CommandLine;

namespace ConvMixerNet.Cli;

/// <summary>
/// Where a command's model comes from: a weights file (.safetensors, PyTorch, TorchSharp), a model folder
/// (config.json + weights), a training checkpoint, or for some commands a preset name; and the options for what the
/// weights alone cannot tell (the activation).
/// </summary>
internal static class ModelSource
{
    public const string Kinds = "a weights file (.safetensors, .pth/.bin/.pth.tar, TorchSharp .dat), a model folder (config.json + model.safetensors) or a training checkpoint.ckpt";

    public static Option<string?> PresetOption(string description) => new("--preset", "-p")
    {
        Description = description + " Known: " + string.Join(", ", ConvMixerPresets.ByName.Keys) + ".",
    };

    public static Option<Activation?> ActivationOption() => new("--activation")
    {
        Description = "The activation of weights that do not record it (gelu or relu); default: from the file, the preset or GELU.",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Enum.TryParse<Activation>(text, ignoreCase: true, out var activation) && Enum.IsDefined(activation))
            {
                return activation;
            }

            result.AddError($"Unknown activation '{text}'. Known: {string.Join(", ", Enum.GetNames<Activation>().Select(n => n.ToLowerInvariant()))}.");
            return null;
        },
    };

    public static ConvMixerConfig Preset(string name) =>
        ConvMixerPresets.ByName.TryGetValue(name, out var config)
            ? config
            : throw new UsageException($"unknown preset '{name}'. Known presets: {string.Join(", ", ConvMixerPresets.ByName.Keys)}.");

    public static CheckpointLoadOptions LoadOptions(string? preset, Activation? activation)
    {
        if (preset is not null)
        {
            Preset(preset); // a clear message for a typo before the file is read
        }

        return new CheckpointLoadOptions { Preset = preset, Activation = activation };
    }

    /// <summary>Loads the model at <paramref name="path"/> with its stored configuration.</summary>
    public static ConvMixer Load(string path, CheckpointLoadOptions? options = null)
    {
        if (!File.Exists(path) && !Directory.Exists(path) && !FileKind.IsSpecial(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist; expected {Kinds}.", path);
        }

        try
        {
            return ConvMixer.FromCheckpoint(path, options);
        }
        catch (ArgumentException e) when (e.ParamName == "options")
        {
            // The weights do not follow the --preset given.
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }
    }

    /// <summary>The preset whose architecture equals <paramref name="config"/> (class count included), if any.</summary>
    public static string? MatchingPreset(ConvMixerConfig config) =>
        ConvMixerPresets.ByName.FirstOrDefault(p => p.Value == config).Key;
}
