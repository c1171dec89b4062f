using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>Loading and saving pretrained weights (timm, the official repository, TorchSharp).</summary>
public sealed partial class ConvMixer
{
    /// <summary>
    /// Builds a ConvMixer from saved weights and loads them: a model folder (timm's / the Hugging Face hub's
    /// <c>config.json</c> + <c>model.safetensors</c> or <c>pytorch_model.bin</c>), <c>.safetensors</c>, PyTorch
    /// <c>.pth</c>/<c>.bin</c>/<c>.pth.tar</c> (a state dict, or a dict wrapping one under <c>state_dict</c>,
    /// <c>model</c> or <c>state_dict_ema</c>), TorchSharp's format, or a training checkpoint of ConvMixerNet.Training,
    /// told apart by content. timm's keys, the official repository's flat keys and DataParallel's <c>module.</c> prefix
    /// are all recognised. The configuration stored with the weights becomes <see cref="Pretrained"/>. A model on a
    /// Hugging Face hub is named by <c>hf-hub:ORG/NAME[@REVISION]</c> (or a preset's name, <c>convmixer_768_32</c> or
    /// <c>convmixer_768_32.in1k</c>): its <c>config.json</c> and weights are downloaded into the hub's shared cache
    /// once (see <see cref="ModelReference"/> and <see cref="CheckpointLoadOptions.Hub"/>).
    /// </summary>
    /// <param name="path">The checkpoint file or model folder, or a hub reference.</param>
    /// <param name="options">
    /// Strictness, activation or preset, class count, device and dtype; see <see cref="CheckpointLoadOptions"/>.
    /// </param>
    /// <returns>
    /// A model in eval mode whose dim, depth, kernel size, patch size, input channels and class count come from the
    /// tensor shapes (the class count from <see cref="CheckpointLoadOptions.NumClasses"/> when given). Call
    /// <c>train()</c> before fine-tuning.
    /// </returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidCheckpointException">The file is corrupt, truncated, of an unknown format, not a ConvMixer, or holds NaN/Inf.</exception>
    /// <exception cref="CheckpointMismatchException">The weights do not fit the architecture (lists every difference).</exception>
    /// <exception cref="ArgumentException">The preset is unknown.</exception>
    /// <exception cref="PresetMismatchException">The checkpoint's shapes are not the preset's.</exception>
    /// <exception cref="ConvMixerNet.Hub.HubException">A hub download failed (not found, gated: set <c>HF_TOKEN</c>, unreachable and not cached).</exception>
    /// <exception cref="FormatException">An <c>hf-hub:</c> reference is malformed.</exception>
    /// <example><code>using var model = ConvMixer.FromCheckpoint("hf-hub:timm/convmixer_768_32.in1k");</code></example>
    public static ConvMixer FromCheckpoint(string path, CheckpointLoadOptions? options = null)
    {
        options ??= new CheckpointLoadOptions();
        using var checkpoint = CheckpointReader.Read(ModelReference.Resolve(path, options.Hub), options.PreferEma);
        var (config, checkpointClasses) = ResolveConfig(checkpoint, options);

        var pretrained = ResolvePretrained(checkpoint, config, checkpointClasses);
        var model = new ConvMixer(config, device: options.Device, dtype: options.DType);
        try
        {
            CheckpointLoader.Load(model, checkpoint, options.Strict, options.AllowNonFiniteValues, skipClassifier: config.NumClasses != checkpointClasses);
            model.Pretrained = pretrained is null || config.NumClasses == checkpointClasses ? pretrained : pretrained with { LabelNames = null, Metrics = null };
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads a checkpoint's weights into this model (any format and layout <see cref="FromCheckpoint"/> reads),
    /// converting float16, bfloat16 or float64 values to the model's dtype and device. All or nothing: when it throws,
    /// every parameter and buffer is exactly as before.
    /// </summary>
    /// <param name="path">The checkpoint file or model folder, or a hub reference (as <see cref="FromCheckpoint"/>).</param>
    /// <param name="options">
    /// <see cref="CheckpointLoadOptions.Strict"/> (default true), <see cref="CheckpointLoadOptions.PreferEma"/> and
    /// <see cref="CheckpointLoadOptions.AllowNonFiniteValues"/> apply; the options that shape a new model do not.
    /// </param>
    /// <returns>Which keys were loaded, missing, unexpected or skipped.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidCheckpointException">The file is corrupt, truncated, of an unknown format, or holds NaN/Inf.</exception>
    /// <exception cref="CheckpointMismatchException">
    /// Strict: any missing key, unexpected key, shape mismatch or different activation (from the file's metadata).
    /// Non-strict: a shape mismatch outside the classifier.
    /// </exception>
    public CheckpointLoadResult LoadCheckpoint(string path, CheckpointLoadOptions? options = null)
    {
        options ??= new CheckpointLoadOptions();
        using var checkpoint = CheckpointReader.Read(ModelReference.Resolve(path, options.Hub), options.PreferEma);
        return CheckpointLoader.Load(this, checkpoint, options.Strict, options.AllowNonFiniteValues, skipClassifier: false);
    }

    /// <summary>
    /// Saves the weights in timm's layout, atomically (a temporary file, flushed, then renamed over
    /// <paramref name="path"/>), so an interrupted save never leaves a partial file under that name.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="format">
    /// The format; by default from the extension: <c>.safetensors</c> → <see cref="CheckpointFormat.Safetensors"/>
    /// (with the hyperparameters, activation included, as metadata), <c>.pth</c>/<c>.pt</c>/<c>.bin</c> →
    /// <see cref="CheckpointFormat.PyTorch"/> (a state dict for <c>torch.load</c>), <c>.dat</c> →
    /// <see cref="CheckpointFormat.TorchSharp"/> (for <c>Module.load</c>). Only <c>.safetensors</c> keeps the
    /// activation; for the others, pass it (or a preset) to <see cref="FromCheckpoint"/>.
    /// </param>
    /// <exception cref="ArgumentException">No format was given and the extension is not one of the above.</exception>
    public void SaveCheckpoint(string path, CheckpointFormat? format = null) => SaveCheckpoint(path, format, KeyLayout.Timm);

    /// <summary>
    /// As <see cref="SaveCheckpoint(string, CheckpointFormat?)"/>, with the keys in <paramref name="layout"/>:
    /// <see cref="KeyLayout.Official"/> writes the official repository's flat <c>nn.Sequential</c> keys (in any format).
    /// </summary>
    /// <exception cref="InvalidOperationException">The official layout was asked for a model without a classifier (its last index is the Linear layer).</exception>
    public void SaveCheckpoint(string path, CheckpointFormat? format, KeyLayout layout) => SaveCheckpoint(path, format, layout, null);

    /// <summary>Saves with <paramref name="description"/> as the stored document (a model folder stores the same one in its config.json).</summary>
    internal void SaveCheckpoint(string path, CheckpointFormat? format, KeyLayout layout, ModelConfig? description)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var chosen = format ?? FormatFromExtension(path);
        if (chosen == CheckpointFormat.TrainingCheckpoint)
        {
            throw new ArgumentException("Training checkpoints are written by ConvMixerNet.Training's trainer; save weights as .safetensors, .pth or .dat.", nameof(format));
        }

        if (layout == KeyLayout.Official && NumClasses == 0)
        {
            throw new InvalidOperationException("The official layout needs a classifier (its last Sequential index is the Linear layer); this model has none.");
        }

        using var scope = NewDisposeScope();
        var tensors = state_dict()
            .Select(p => KeyValuePair.Create(layout == KeyLayout.Official ? StateDictLayout.ToOfficial(p.Key, Config.Depth) : p.Key, p.Value.detach().cpu().contiguous()))
            .ToList();
        AtomicFile.Write(path, stream =>
        {
            switch (chosen)
            {
                case CheckpointFormat.Safetensors:
                    SafetensorsFile.Write(stream, tensors, CheckpointMetadata.From(description ?? ModelConfig.Of(this)));
                    break;
                case CheckpointFormat.PyTorch:
                    PyTorchPickler.PickleStateDict(stream, new Dictionary<string, Tensor>(tensors), leaveOpen: true);
                    break;
                case CheckpointFormat.TorchSharp:
                    TorchSharpCheckpointFile.Write(stream, new Dictionary<string, Tensor>(tensors));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(format), chosen, "Unknown checkpoint format.");
            }
        });
    }

    private static CheckpointFormat FormatFromExtension(string path) =>
        CheckpointFormats.FromFileName(path) ?? throw new ArgumentException(
            $"Cannot tell the checkpoint format from the name '{path}': use .safetensors, .pth, .pt, .bin or .dat, or pass a CheckpointFormat.", nameof(path));

    // The stored configuration, checked against the weights; null when the file stores none (timm's hub weights
    // files, for example, keep theirs in the folder's config.json).
    private static PretrainedConfig? ResolvePretrained(Checkpoint checkpoint, ConvMixerConfig config, int checkpointClasses)
    {
        var stored = checkpoint.Stored;
        if (stored?.NumClasses is { } statedClasses && statedClasses != checkpointClasses)
        {
            throw new InvalidCheckpointException(checkpoint.ConfigPath, $"its configuration states {statedClasses} classes (num_classes), but the classifier of its weights has {checkpointClasses}.");
        }

        if (stored?.Pretrained?.ProblemsFor(config with { NumClasses = checkpointClasses }) is [var first, ..])
        {
            throw new InvalidCheckpointException(checkpoint.ConfigPath, $"its stored configuration does not fit the weights: {first.Message}");
        }

        return stored?.Pretrained;
    }

    private static (ConvMixerConfig Config, int CheckpointClasses) ResolveConfig(Checkpoint checkpoint, CheckpointLoadOptions options)
    {
        var shapes = checkpoint.Tensors.ToDictionary(p => p.Key, p => p.Value.shape);
        var inferred = CheckpointArchitecture.Infer(checkpoint.Path, shapes);

        ConvMixerConfig? preset = null;
        if (options.Preset is not null)
        {
            preset = ConvMixerPresets.Get(options.Preset);
            if (!SameShapes(preset, inferred))
            {
                throw new PresetMismatchException($"The checkpoint '{checkpoint.Path}' holds {inferred}, not the preset '{options.Preset}' ({preset}).");
            }
        }

        // Shapes cannot tell GELU from ReLU: explicit choice, then preset, then the stored description (the folder's, else
        // the file's), then the published architecture with these shapes (ConvMixer-768/32 is ReLU), then GELU.
        var published = ConvMixerPresets.ByName.Values.FirstOrDefault(p => SameShapes(p, inferred));
        var activation = options.Activation
            ?? preset?.Activation
            ?? checkpoint.Stored?.Activation
            ?? checkpoint.FileStored?.Activation
            ?? published?.Activation
            ?? Activation.Gelu;
        var placement = preset?.ResidualPlacement
            ?? checkpoint.Stored?.ResidualPlacement
            ?? checkpoint.FileStored?.ResidualPlacement
            ?? ResidualPlacement.AroundSpatialMixing;

        var config = inferred with
        {
            Activation = activation,
            ResidualPlacement = placement,
            NumClasses = options.NumClasses ?? inferred.NumClasses,
        };
        return (config, inferred.NumClasses);
    }

    private static bool SameShapes(ConvMixerConfig a, ConvMixerConfig b) =>
        a.Dim == b.Dim && a.Depth == b.Depth && a.KernelSize == b.KernelSize && a.PatchSize == b.PatchSize && a.InChannels == b.InChannels;
}
