namespace ConvMixerNet.Serving;

/// <summary>A loaded model as the service uses it: decoding on request threads, batched inference on the worker thread.</summary>
public interface IClassificationModel : IDisposable
{
    /// <summary>What the service calls the model in its answers (the checkpoint's file name, or the model folder's name).</summary>
    string Name { get; }

    /// <summary>The number of classes, the most predictions one image can get.</summary>
    int ClassCount { get; }

    /// <summary>Architecture, class names and preprocessing, for GET /v1/model.</summary>
    ModelDescription Description { get; }

    /// <summary>Decodes an uploaded image; touches no tensor, so any thread may call it.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a supported image, or it is truncated or corrupt.</exception>
    RgbImage Decode(byte[] data);

    /// <summary>What runs the model, the protocol's platform: <c>torchsharp</c> or <c>onnxruntime_onnx</c> (Triton's name).</summary>
    string Platform => "convmixer";

    /// <summary>Turns a decoded image into model input (CHW float32), exactly as classification does; touches no tensor.</summary>
    float[] Preprocess(RgbImage image) => throw new NotSupportedException($"The model {Name} does not take preprocessed input.");

    /// <summary>The logits <c>[count, ClassCount]</c> of a preprocessed batch <c>[count, C, H, W]</c>; called on the worker thread only.</summary>
    float[] Logits(float[] batch, int count) => throw new NotSupportedException($"The model {Name} does not give logits.");

    /// <summary>Classifies a batch with one forward pass; called on the worker thread only.</summary>
    IReadOnlyList<IReadOnlyList<Prediction>> Classify(IReadOnlyList<RgbImage> images, int topK);

    /// <summary>A class activation map for one image; called on the worker thread only. Models that cannot explain throw.</summary>
    /// <exception cref="NotSupportedException">The model cannot compute <paramref name="method"/>.</exception>
    Explanation Explain(RgbImage image, int? classIndex, CamMethod method) =>
        throw new NotSupportedException($"The model {Name} cannot explain its predictions.");
}
