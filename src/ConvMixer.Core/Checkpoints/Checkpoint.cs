using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>The tensors of a checkpoint file under timm's keys, on the CPU in the file's dtypes, and what it says about the model.</summary>
internal sealed class Checkpoint : IDisposable
{
    public Checkpoint(string path, CheckpointFormat format, Dictionary<string, Tensor> tensors, StoredModelConfig? fileStored, StoredModelConfig? stored = null, string? configPath = null)
    {
        Path = path;
        ConfigPath = configPath ?? path;
        Format = format;
        Tensors = tensors;
        FileStored = fileStored;
        Stored = stored ?? fileStored;
    }

    public string Path { get; }

    /// <summary>Where <see cref="Stored"/> was read: a model folder's config.json, else the weights file itself.</summary>
    public string ConfigPath { get; }

    public CheckpointFormat Format { get; }

    /// <summary>State dict with timm's keys (official layout and <c>module.</c> prefixes already translated).</summary>
    public Dictionary<string, Tensor> Tensors { get; }

    /// <summary>What the weights file itself states (its stored document, or the metadata keys of earlier versions), if anything.</summary>
    public StoredModelConfig? FileStored { get; }

    /// <summary>The configuration saved with the weights (model folder, metadata, training checkpoint), if any.</summary>
    public StoredModelConfig? Stored { get; }

    public void Dispose()
    {
        foreach (var tensor in Tensors.Values)
        {
            tensor.Dispose();
        }

        Tensors.Clear();
    }
}
