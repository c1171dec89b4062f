using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// Reads any supported checkpoint file: detects the format from the content, checks the structure cheaply before a
/// library allocates anything, and turns every failure into an <see cref="InvalidCheckpointException"/> naming the file.
/// </summary>
internal static class CheckpointReader
{
    /// <summary>
    /// Reads a checkpoint file, a model folder (its weights and <c>config.json</c>), or a training run's
    /// <c>checkpoint.ckpt</c> (the weights of earlier formats inside it, else the run folder around it).
    /// </summary>
    public static Checkpoint Read(string path, bool preferEma)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        TorchRuntime.EnsureLoaded();
        if (Directory.Exists(path))
        {
            // A model folder or training run: config.json (when there) + the weights file ModelFolder finds.
            var stored = ModelFolder.IsModelFolder(path) ? ModelFolder.ReadConfig(path) : null;
            var weights = Read(ModelFolder.FindWeights(path), preferEma);
            return stored is null
                ? weights
                : new Checkpoint(weights.Path, weights.Format, weights.Tensors, weights.FileStored, stored, Path.Combine(path, ModelFolder.ConfigFileName));
        }

        if (!File.Exists(path) && !FileKind.IsSpecial(path))
        {
            throw new FileNotFoundException($"Checkpoint file '{path}' does not exist.", path);
        }

        FileKind.RequireRegularFile(path, "checkpoint");

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var format = CheckpointFormatDetector.Detect(path, stream);
        stream.Position = 0;

        Dictionary<string, Tensor> tensors;
        StoredModelConfig? storedConfig = null;
        try
        {
            switch (format)
            {
                case CheckpointFormat.Safetensors:
                    (tensors, var metadata) = SafetensorsFile.Read(path, stream);
                    storedConfig = CheckpointMetadata.Read(path, metadata);
                    break;
                case CheckpointFormat.TrainingCheckpoint:
                    if (TrainingCheckpointWeights.Read(path, stream) is not { } run)
                    {
                        return ReadRunFolder(path, preferEma);
                    }

                    (tensors, storedConfig) = run;
                    break;
                case CheckpointFormat.PyTorch:
                    tensors = PyTorchCheckpointFile.Read(path, stream, preferEma);
                    break;
                default:
                    tensors = TorchSharpCheckpointFile.Read(path, stream);
                    break;
            }
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            throw new InvalidCheckpointException(path, $"the {format} file is corrupt or truncated ({e.GetType().Name}: {e.Message}).", e);
        }

        return new Checkpoint(path, format, ToTimmKeys(path, tensors), storedConfig);
    }

    // A trainer state of the current format holds no weights: the run folder it lies in is the model.
    private static Checkpoint ReadRunFolder(string path, bool preferEma)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!ModelFolder.IsModelFolder(folder))
        {
            throw new InvalidCheckpointException(path,
                $"it is the trainer state of a training run and holds no weights; they are the run folder's {ModelFolder.ConfigFileName} and {ModelFolder.SafetensorsFileName}, which are not beside it. Load the run folder itself.");
        }

        return Read(folder, preferEma);
    }

    // Failures of the libraries on bad bytes; our own checks already throw InvalidCheckpointException.
    private static bool IsReadFailure(Exception e) =>
        e is not (InvalidCheckpointException or OutOfMemoryException or UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException);

    private static Dictionary<string, Tensor> ToTimmKeys(string path, Dictionary<string, Tensor> tensors)
    {
        try
        {
            var renamed = StateDictLayout.ToTimm(tensors.Keys);
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (key, tensor) in tensors)
            {
                if (!result.TryAdd(renamed[key], tensor))
                {
                    throw new ArgumentException($"two keys map to '{renamed[key]}' (for example '{key}').");
                }
            }

            return result;
        }
        catch (ArgumentException e)
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw new InvalidCheckpointException(path, $"its keys are not a ConvMixer state dict: {e.Message}", e);
        }
    }
}
