using ConvMixerNet.Hub;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>How <see cref="ConvMixer.FromCheckpoint"/> and <see cref="ConvMixer.LoadCheckpoint"/> read a checkpoint.</summary>
/// <remarks>
/// The activation cannot be seen in tensor shapes. It is taken, in this order, from <see cref="Activation"/>, from
/// <see cref="Preset"/>, from the file's metadata (written by <see cref="ConvMixer.SaveCheckpoint(string, CheckpointFormat?)"/> to
/// <c>.safetensors</c>), from the published architecture with the same shapes (ConvMixer-768/32 uses ReLU), and
/// otherwise GELU.
/// </remarks>
public sealed record CheckpointLoadOptions
{
    /// <summary>
    /// When true (the default), every key of the model must be in the checkpoint with the same shape, and the checkpoint
    /// may hold no other key; one <see cref="CheckpointMismatchException"/> lists every difference. When false (for
    /// fine-tuning), missing and unexpected keys are tolerated and reported, and a classifier whose class count differs
    /// is skipped, so the model keeps its own (fresh) classifier; any other shape mismatch still throws.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>The activation of the model to build; overrides the preset and the file's metadata.</summary>
    public Activation? Activation { get; init; }

    /// <summary>
    /// A name from <see cref="ConvMixerPresets.ByName"/>; its activation and residual placement are used, and the
    /// checkpoint's shapes must match it (the class count may differ).
    /// </summary>
    public string? Preset { get; init; }

    /// <summary>
    /// For <see cref="ConvMixer.FromCheckpoint"/>: build the model with this many classes instead of the checkpoint's.
    /// When it differs, everything but the classifier is loaded and the classifier is freshly initialised.
    /// </summary>
    public int? NumClasses { get; init; }

    /// <summary>For <see cref="ConvMixer.FromCheckpoint"/>: the device of the model (default CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>
    /// For <see cref="ConvMixer.FromCheckpoint"/>: the floating-point type of the model (default float32, whatever the
    /// checkpoint holds). float16, bfloat16 and float64 checkpoints are converted explicitly to the model's type.
    /// </summary>
    public ScalarType? DType { get; init; }

    /// <summary>
    /// Read <c>state_dict_ema</c> (the exponential moving average of the weights) in preference to <c>state_dict</c> or
    /// <c>model</c> when a training checkpoint holds both.
    /// </summary>
    public bool PreferEma { get; init; }

    /// <summary>
    /// NaN or infinite values in a checkpoint are rejected by default (an <see cref="InvalidDataException"/> names the
    /// tensors): published weights never hold them, and they would turn every output into NaN. Set this to load them anyway.
    /// </summary>
    public bool AllowNonFiniteValues { get; init; }

    /// <summary>
    /// Where a model named by a hub reference (<c>hf-hub:ORG/NAME[@REVISION]</c>) or a preset name is downloaded
    /// from and cached; null reads the environment as huggingface_hub does (<c>HF_ENDPOINT</c>, <c>HF_HOME</c>,
    /// <c>HF_HUB_CACHE</c>, <c>HF_HUB_OFFLINE</c>, <c>HF_TOKEN</c>). See <see cref="ModelReference"/>.
    /// </summary>
    public HubOptions? Hub { get; init; }
}
