using System.CommandLine;

namespace ConvMixerNet.Cli;

/// <summary>
/// Where a command's model comes from: a weights file (.safetensors, PyTorch, TorchSharp), a model folder
/// (config.json + weights), a training checkpoint, or for some commands a preset name; and the options for what the
/// weights alone cannot tell (the activation).
/// </summary>
internal static class ModelSource
{
    public const string Kinds = "a weights file (.safetensors, .pth/.bin/.pth.tar, TorchSharp .dat), a model folder (config.json + model.safetensors), a training checkpoint.ckpt, an exported .onnx, "
        + "or a model on a Hugging Face hub: hf-hub:ORG/NAME[@REVISION] or a preset with published weights (convmixer_768_32), downloaded once into the hub's cache";

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
            : throw new UsageException(ConvMixerPresets.Unknown(name));

    public static CheckpointLoadOptions LoadOptions(string? preset, Activation? activation)
    {
        if (preset is not null)
        {
            Preset(preset); // a clear message for a typo before the file is read
        }

        return new CheckpointLoadOptions { Preset = preset, Activation = activation };
    }

    /// <summary>Loads the model at <paramref name="path"/> (or downloads it first: a hub reference) with its stored configuration.</summary>
    public static ConvMixer Load(string path, CheckpointLoadOptions? options = null)
    {
        path = HubDownload.Resolve(path);
        if (!File.Exists(path) && !Directory.Exists(path) && !FileKind.IsSpecial(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist; expected {Kinds}.", path);
        }

        try
        {
            return ConvMixer.FromCheckpoint(path, options);
        }
        catch (PresetMismatchException e)
        {
            throw new UsageException(e.Message); // the weights do not follow the --preset given
        }
    }

    /// <summary>
    /// The model at <paramref name="path"/> on the backend that opens it (<see cref="ClassificationModel.Open"/>: ONNX
    /// Runtime for .onnx files, TorchSharp otherwise); hub models are downloaded first with a progress bar.
    /// </summary>
    public static IImageClassificationModel LoadForInference(string path, CheckpointLoadOptions loadOptions, InferencePrecision precision, int? threads)
    {
        path = HubDownload.Resolve(path);
        if (precision != InferencePrecision.Float32 && OnnxBackend.IsOnnxFile(path))
        {
            throw new UsageException("--precision applies to TorchSharp; an ONNX file runs in the precision it was exported or quantized in.");
        }

        var options = new ModelOpenOptions { Checkpoint = loadOptions, Precision = precision, Threads = threads, Backends = [OnnxBackend.Instance] };
        try
        {
            return ClassificationModel.Open(path, options);
        }
        catch (PresetMismatchException e)
        {
            throw new UsageException(e.Message); // the weights do not follow the --preset given
        }
    }

    /// <summary>The preset whose architecture equals <paramref name="config"/> (class count included), if any.</summary>
    public static string? MatchingPreset(ConvMixerConfig config) =>
        ConvMixerPresets.ByName.FirstOrDefault(p => p.Value == config).Key;
}
