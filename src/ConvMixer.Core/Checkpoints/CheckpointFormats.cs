namespace ConvMixerNet.Core;

/// <summary>What file names say about checkpoint formats.</summary>
public static class CheckpointFormats
{
    /// <summary>
    /// The format a file name's extension names: <c>.safetensors</c>; <c>.pth</c>, <c>.pt</c>, <c>.bin</c>,
    /// <c>.pth.tar</c> (PyTorch); <c>.dat</c> (TorchSharp); <c>.ckpt</c> (a training checkpoint); otherwise null.
    /// </summary>
    public static CheckpointFormat? FromFileName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path).ToLowerInvariant();
        return name switch
        {
            _ when name.EndsWith(".safetensors", StringComparison.Ordinal) => CheckpointFormat.Safetensors,
            _ when name.EndsWith(".pth", StringComparison.Ordinal) || name.EndsWith(".pt", StringComparison.Ordinal)
                || name.EndsWith(".bin", StringComparison.Ordinal) || name.EndsWith(".pth.tar", StringComparison.Ordinal) => CheckpointFormat.PyTorch,
            _ when name.EndsWith(".dat", StringComparison.Ordinal) => CheckpointFormat.TorchSharp,
            _ when name.EndsWith(".ckpt", StringComparison.Ordinal) => CheckpointFormat.TrainingCheckpoint,
            _ => null,
        };
    }
}
