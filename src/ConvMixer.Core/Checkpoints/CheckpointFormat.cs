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
    /// The trainer state of a ConvMixerNet.Training run (<c>checkpoint.ckpt</c>), read for its model only: files of
    /// earlier versions hold the model's configuration and weights, current ones lie in the run folder that is the
    /// model. Read-only here: the trainer writes it.
    /// </summary>
    TrainingCheckpoint,
}
