namespace ConvMixerNet.Vision;

/// <summary>
/// The built-in backend: weights files (<c>.safetensors</c>, PyTorch, TorchSharp), model folders, training runs and
/// training checkpoints, read by <see cref="ConvMixer.FromCheckpoint"/> and run by <see cref="TorchSharpClassificationModel"/>.
/// It opens whatever no other backend claims, so a file of an unknown kind gets the checkpoint reader's message.
/// </summary>
public sealed class TorchSharpBackend : IClassificationBackend
{
    private TorchSharpBackend()
    {
    }

    /// <summary>The one instance (the backend holds no state).</summary>
    public static TorchSharpBackend Instance { get; } = new();

    /// <inheritdoc />
    public string Opens => "a weights file (.safetensors, .pth/.bin/.pth.tar, TorchSharp .dat), a model folder (config.json + weights), a training run or checkpoint.ckpt";

    /// <inheritdoc />
    public bool CanOpen(string path) => true;

    /// <inheritdoc />
    public IImageClassificationModel Open(string path, ModelOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var device = options.Device ?? TorchSharp.torch.CPU;
        var dtype = options.Precision.ToScalarType(device.type);
        var model = ConvMixer.FromCheckpoint(path, options.Checkpoint);
        try
        {
            return new TorchSharpClassificationModel(model, device, dtype);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
