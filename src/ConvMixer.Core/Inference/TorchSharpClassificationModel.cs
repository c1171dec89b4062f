using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>A <see cref="ConvMixer"/> as an <see cref="IImageClassificationModel"/>: eval mode, no autograd, on a chosen device and dtype. Owns the model.</summary>
public sealed class TorchSharpClassificationModel : IImageClassificationModel
{
    private readonly ConvMixer _model;
    private readonly Device _device;
    private readonly ScalarType _dtype;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="model"/>, switches it to eval mode and moves it to <paramref name="device"/> and <paramref name="dtype"/>.</summary>
    public TorchSharpClassificationModel(ConvMixer model, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _device = device ?? CPU;
        _dtype = dtype;
        _model.eval();
        _model.to(_device).to(_dtype);
    }

    /// <summary>The wrapped model.</summary>
    public ConvMixer Model => _model;

    /// <inheritdoc />
    public ConvMixerConfig Architecture => _model.Config;

    /// <inheritdoc />
    public PretrainedConfig? Pretrained => _model.Pretrained;

    /// <inheritdoc />
    public string Backend => $"TorchSharp {_dtype} on {_device.type}";

    /// <inheritdoc />
    public float[] Logits(ReadOnlySpan<float> images, int count, int height, int width)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        long values = (long)count * Architecture.InChannels * height * width;
        if (count <= 0 || height <= 0 || width <= 0 || images.Length < values)
        {
            throw new ArgumentException($"A batch of {count} images of {Architecture.InChannels}x{height}x{width} needs {values} values; the buffer holds {images.Length}.", nameof(images));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = tensor(images[..(int)values].ToArray(), [count, Architecture.InChannels, height, width]);
        var logits = _model.forward(batch.to(_device).to(_dtype));
        return logits.to(ScalarType.Float32).cpu().data<float>().ToArray();
    }

    /// <summary>Releases the model.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _model.Dispose();
        }
    }
}
