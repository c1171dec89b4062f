using static TorchSharp.torch;

namespace ConvMixerNet.Vision;

/// <summary>
/// A classifier of preprocessed images, whatever runs it: a <see cref="ConvMixer"/> on TorchSharp
/// (<see cref="TorchSharpClassificationModel"/>) or an exported model on ONNX Runtime (ConvMixerNet.Onnx's
/// <c>OnnxConvMixer</c>). ConvMixerNet.Vision's <c>ImageClassifier</c> preprocesses, batches and names results the
/// same way for every backend. Implementations are safe to call from several threads at once.
/// </summary>
public interface IImageClassificationModel : IDisposable
{
    /// <summary>The architecture (input channels, class count).</summary>
    ConvMixerConfig Architecture { get; }

    /// <summary>The preprocessing and class names stored with the model, if any.</summary>
    PretrainedConfig? Pretrained { get; }

    /// <summary>A short name of what runs the model, for reports ("TorchSharp float32", "ONNX Runtime int8").</summary>
    string Backend { get; }

    /// <summary>
    /// The logits of a preprocessed batch. Tensors in, tensors out: a backend that does not run on TorchSharp converts
    /// at its own boundary, so callers never copy through arrays.
    /// </summary>
    /// <param name="images"><c>[N, InChannels, height, width]</c>, float32 on the CPU; not changed.</param>
    /// <returns><c>[N, NumClasses]</c>, float32 on the CPU; the caller owns it (dispose it, or let a dispose scope).</returns>
    /// <exception cref="ArgumentException">The batch's shape does not fit the model.</exception>
    Tensor Logits(Tensor images);
}
