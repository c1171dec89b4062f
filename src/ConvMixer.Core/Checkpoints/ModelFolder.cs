namespace ConvMixerNet.Core;

/// <summary>
/// A model folder in the layout of the Hugging Face hub that timm writes (<c>save_for_hf</c>, <c>push_to_hf_hub</c>)
/// and reads (<c>timm.create_model('local-dir:FOLDER', pretrained=True)</c>): <c>config.json</c> with the
/// architecture, class names and preprocessing, and the weights as <c>model.safetensors</c> (and, on request,
/// <c>pytorch_model.bin</c>).
/// </summary>
public static class ModelFolder
{
    /// <summary>The configuration file of a model folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file written (and preferred when reading).</summary>
    public const string SafetensorsFileName = "model.safetensors";

    /// <summary>The PyTorch weights file timm writes next to (or instead of) <see cref="SafetensorsFileName"/>.</summary>
    public const string PyTorchFileName = "pytorch_model.bin";

    private const long MaxConfigBytes = 64 << 20;

    // timm's order of preference, then the first file of each extension in this order.
    private static readonly string[] PreferredFiles = [SafetensorsFileName, PyTorchFileName, "pytorch_model.pth", "model.pth"];
    private static readonly string[] ExtensionPriority = [".safetensors", ".pth", ".pth.tar", ".bin"];

    /// <summary>True when <paramref name="path"/> is a folder holding a <c>config.json</c>.</summary>
    public static bool IsModelFolder(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, ConfigFileName));

    /// <summary>
    /// The weights file of a folder, chosen as timm chooses it: the one rule for finding weights in a folder, with or
    /// without <c>config.json</c> (a model folder, a training run, a folder someone put weights in).
    /// </summary>
    /// <exception cref="InvalidCheckpointException">The folder holds no weights file.</exception>
    public static string FindWeights(string folder) =>
        TryFindWeights(folder) ?? throw new InvalidCheckpointException(folder, $"the folder holds no weights ({WeightsFileNames}).");

    /// <summary>As <see cref="FindWeights"/>, or null when the folder (or what <paramref name="folder"/> names) holds no weights file.</summary>
    public static string? TryFindWeights(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        foreach (var name in PreferredFiles)
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return ExtensionPriority
            .Select(extension => Directory.EnumerateFiles(folder, "*" + extension).Order(StringComparer.Ordinal).FirstOrDefault())
            .FirstOrDefault(first => first is not null);
    }

    /// <summary>The file that holds the weights <paramref name="path"/> names: the path itself, or a folder's weights file (<see cref="FindWeights"/>).</summary>
    /// <exception cref="InvalidCheckpointException">A folder holds no weights file.</exception>
    public static string WeightsFile(string path) => Directory.Exists(path) ? FindWeights(path) : path;

    /// <summary>The weights files looked for in a folder, for messages.</summary>
    public static string WeightsFileNames => $"{string.Join(", ", PreferredFiles)} or a {string.Join("/", ExtensionPriority)} file";

    /// <summary>
    /// Writes <paramref name="model"/> as a model folder: <c>config.json</c> (from <see cref="ConvMixer.Pretrained"/>,
    /// or the ImageNet defaults) and <c>model.safetensors</c>, plus <c>pytorch_model.bin</c> when
    /// <paramref name="includePyTorchWeights"/>. The folder is created if needed; every file is written atomically.
    /// </summary>
    public static void Save(ConvMixer model, string folder, bool includePyTorchWeights = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (File.Exists(folder))
        {
            throw new IOException($"Cannot write a model folder at '{folder}': a file has that name.");
        }

        Directory.CreateDirectory(folder);
        // One document, stored verbatim in config.json and in the weights' metadata.
        var description = new ModelConfig(model.Config, model.Pretrained ?? new PretrainedConfig { Data = DataConfig.ImageNet with { InChannels = model.Config.InChannels } });
        model.SaveCheckpoint(Path.Combine(folder, SafetensorsFileName), CheckpointFormat.Safetensors, KeyLayout.Timm, description);
        if (includePyTorchWeights)
        {
            model.SaveCheckpoint(Path.Combine(folder, PyTorchFileName));
        }

        AtomicFile.WriteAllText(Path.Combine(folder, ConfigFileName), description.ToJson(indented: true) + "\n");
    }

    /// <summary>Reads a folder's <c>config.json</c> by timm's rules (current or legacy layout).</summary>
    internal static StoredModelConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, ConfigFileName);
        FileKind.RequireRegularFile(path, "model configuration");
        if (new FileInfo(path).Length > MaxConfigBytes)
        {
            throw new InvalidCheckpointException(path, $"it is larger than {MaxConfigBytes} bytes.");
        }

        return ModelConfig.ParseStored(File.ReadAllText(path), path);
    }
}
