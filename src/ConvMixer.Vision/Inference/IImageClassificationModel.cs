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

    /// <summary>The logits <c>[count, NumClasses]</c> (row-major) of <paramref name="count"/> images laid out <c>[count, InChannels, height, width]</c>.</summary>
    /// <exception cref="ArgumentException">The sizes do not fit the model or the buffer.</exception>
    float[] Logits(ReadOnlySpan<float> images, int count, int height, int width);
}
