using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Vision;

/// <summary>
/// A <see cref="ConvMixer"/> as an <see cref="IImageClassificationModel"/> (eval mode, no autograd, on a chosen device
/// and dtype) and an <see cref="IFeatureMapModel"/> (the last layer's output and its gradients). Owns the model.
/// </summary>
public sealed class TorchSharpClassificationModel : IImageClassificationModel, IFeatureMapModel
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
    public string? FeatureMapsUnavailableReason => null;

    /// <inheritdoc />
    public bool ComputesGradients => true;

    /// <inheritdoc />
    public Tensor Logits(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (images.dim() != 4 || images.shape[0] <= 0 || images.shape[1] != Architecture.InChannels)
        {
            throw new ArgumentException(
                $"Expected a batch [N, {Architecture.InChannels}, H, W], but got [{string.Join(", ", images.shape)}].", nameof(images));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = _model.forward(images.to(_device).to(_dtype));
        return logits.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public FeatureMapBatch FeatureMaps(ReadOnlySpan<float> images, int count, int height, int width, IReadOnlyList<int?>? gradientClasses = null)
    {
        if (Architecture.NumClasses == 0)
        {
            throw new NotSupportedException("The model has no classifier (NumClasses = 0), so there are no class logits to explain.");
        }

        if (gradientClasses is not null)
        {
            CheckClasses(gradientClasses, count);
        }

        using var scope = NewDisposeScope();
        var batch = Batch(images, count, height, width);
        Tensor features;
        using (no_grad())
        {
            features = _model.ForwardFeatures(batch);
        }

        var (channels, rows, columns) = ((int)features.shape[1], (int)features.shape[2], (int)features.shape[3]);
        if (gradientClasses is null)
        {
            using var noGrad = no_grad();
            return new FeatureMapBatch(count, Architecture.NumClasses, channels, rows, columns, Floats(_model.ForwardHead(features)), Floats(features));
        }

        // Nothing but the head lies between the last layer's output and the logits, so the gradient needs a graph
        // through the head only: the output becomes its leaf, and the model's parameters get no gradients.
        using var enableGrad = enable_grad();
        var leaf = features.detach().requires_grad_(true);
        var logits = _model.ForwardHead(leaf);
        var logitValues = Floats(logits.detach());
        var predicted = logits.detach().argmax(1).cpu().data<long>().ToArray(); // the first of equal maxima, as torch.argmax
        var classes = new int[count];
        for (var n = 0; n < count; n++)
        {
            classes[n] = gradientClasses[n] ?? (int)predicted[n];
        }

        var index = tensor(classes.Select(c => (long)c).ToArray(), [count, 1L], device: _device);
        // The images are independent, so the gradient of the sum holds each image's own gradient.
        var target = logits.gather(1, index).sum();
        var gradient = autograd.grad([target], [leaf])[0];
        return new FeatureMapBatch(count, Architecture.NumClasses, channels, rows, columns, logitValues, Floats(features), Floats(gradient), classes);
    }

    private Tensor Batch(ReadOnlySpan<float> images, int count, int height, int width)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        long values = (long)count * Architecture.InChannels * height * width;
        if (count <= 0 || height <= 0 || width <= 0 || images.Length < values)
        {
            throw new ArgumentException($"A batch of {count} images of {Architecture.InChannels}x{height}x{width} needs {values} values; the buffer holds {images.Length}.", nameof(images));
        }

        return tensor(images[..(int)values].ToArray(), [count, Architecture.InChannels, height, width]).to(_device).to(_dtype);
    }

    private void CheckClasses(IReadOnlyList<int?> classes, int count)
    {
        if (classes.Count != count)
        {
            throw new ArgumentException($"Expected one class per image ({count}), got {classes.Count}.", nameof(classes));
        }

        foreach (var c in classes)
        {
            if (c is { } k && (k < 0 || k >= Architecture.NumClasses))
            {
                throw new ArgumentException($"Class {k} does not exist: the model has classes 0 to {Architecture.NumClasses - 1}.", nameof(classes));
            }
        }
    }

    // Row-major float32 values on the CPU, whatever the model's dtype, device and memory layout.
    private static float[] Floats(Tensor t) => t.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();

    /// <summary>Releases the model.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _model.Dispose();
        }
    }
}
