namespace ConvMixerNet.Serving;

/// <summary>An <see cref="ImageClassifier"/> as the service's model: its labels, preprocessing and batched forward.</summary>
public sealed class ClassifierModel : IClassificationModel
{
    private readonly ImageClassifier _classifier;

    /// <summary>Takes ownership of <paramref name="classifier"/>.</summary>
    public ClassifierModel(ImageClassifier classifier, string name)
    {
        _classifier = classifier;
        Name = name;
        Description = ModelDescription.Of(name, classifier);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int ClassCount => _classifier.Labels.Count;

    /// <inheritdoc />
    public ModelDescription Description { get; }

    /// <inheritdoc />
    public string Platform => _classifier.Backend.StartsWith("ONNX Runtime", StringComparison.Ordinal) ? "onnxruntime_onnx" : "torchsharp";

    /// <inheritdoc />
    public float[] Preprocess(RgbImage image) => _classifier.Preprocessor.Process(image);

    /// <inheritdoc />
    public float[] Logits(float[] batch, int count)
    {
        var input = Description.Preprocessing;
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var values = TorchSharp.torch.tensor(batch, [count, input.InChannels, input.InputSize, input.InputSize]);
        return _classifier.Logits(values).data<float>().ToArray();
    }

    /// <inheritdoc />
    public RgbImage Decode(byte[] data) => _classifier.Preprocessor.Decode(data, "upload");

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<Prediction>> Classify(IReadOnlyList<RgbImage> images, int topK) => _classifier.Classify(images, topK);

    /// <inheritdoc />
    public Explanation Explain(RgbImage image, int? classIndex, CamMethod method) => _classifier.Explain(image, classIndex, method);

    /// <inheritdoc />
    public void Dispose() => _classifier.Dispose();
}
