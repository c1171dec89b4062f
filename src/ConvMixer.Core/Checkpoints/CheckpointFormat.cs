namespace ConvMixerNet.Core;

/// <summary>File formats that ConvMixer checkpoints are read from and written to.</summary>
public enum CheckpointFormat
{
    /// <summary>
    /// <c>torch.save</c>'s zip format (<c>.pth</c>, <c>.pt</c>, <c>.bin</c>, <c>.pth.tar</c>): a pickled state dict, or a
    /// dict that wraps one under <c>state_dict</c>, <c>model</c> or <c>state_dict_ema</c>.
    /// </summary>
    PyTorch,

    /// <summary>Hugging Face's <c>.safetensors</c>: a JSON header (with optional string metadata) and raw tensors.</summary>
    Safetensors,

    /// <summary>TorchSharp's own format, written by <c>Module.save</c> and read by <c>Module.load</c>.</summary>
    TorchSharp,

    /// <summary>
    /// A training checkpoint of ConvMixerNet.Training (<c>checkpoint.ckpt</c>): the model's configuration, its weights
    /// and the run's state; see <see cref="RunCheckpointFile"/>. Read-only here: the trainer writes it.
    /// </summary>
    TrainingCheckpoint,
}
