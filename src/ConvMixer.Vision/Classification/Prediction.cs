namespace ConvMixerNet.Vision;

/// <summary>One of the top-k classes for an image.</summary>
/// <param name="ClassIndex">Index of the class in the model's output.</param>
/// <param name="Label">The class name.</param>
/// <param name="Probability">Softmax probability, in [0, 1].</param>
public sealed record Prediction(int ClassIndex, string Label, float Probability)
{
    /// <inheritdoc />
    public override string ToString() => $"{Label} ({ClassIndex}): {Probability:P2}";
}
