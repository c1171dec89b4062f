using System.CommandLine;

namespace ConvMixerNet.Cli;

/// <summary>Options shared by commands that read a checkpoint: the preset or activation its shapes cannot tell.</summary>
internal static class ModelSource
{
    public static Option<string?> PresetOption(string description) => new("--preset", "-p")
    {
        Description = description + " Known: " + string.Join(", ", ConvMixerPresets.ByName.Keys) + ".",
    };

    public static Option<Activation?> ActivationOption() => new("--activation")
    {
        Description = "The activation of a checkpoint that does not record it (gelu or relu); default: from the file, the preset or GELU.",
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

    /// <summary>The preset whose architecture equals <paramref name="config"/> (class count included), if any.</summary>
    public static string? MatchingPreset(ConvMixerConfig config) =>
        ConvMixerPresets.ByName.FirstOrDefault(p => p.Value == config).Key;
}
