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
    public RgbImage Decode(byte[] data) => _classifier.Preprocessor.Decode(data, "upload");

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<Prediction>> Classify(IReadOnlyList<RgbImage> images, int topK) => _classifier.Classify(images, topK);

    /// <inheritdoc />
    public Explanation Explain(RgbImage image, int? classIndex, CamMethod method) => _classifier.Explain(image, classIndex, method);

    /// <inheritdoc />
    public void Dispose() => _classifier.Dispose();
}
