namespace ConvMixerNet.Vision;

/// <summary>
/// The result for one image of a batch: its top-k predictions, or why it could not be classified
/// (<see cref="Error"/>) while the other images of the batch were.
/// </summary>
/// <param name="Source">The image as given: its path, or the name given with its data.</param>
/// <param name="Predictions">The top-k classes, most probable first; empty when <see cref="Error"/> is set.</param>
/// <param name="Error">Why the image could not be read or decoded, or null on success.</param>
public sealed record ImageClassification(string Source, IReadOnlyList<Prediction> Predictions, string? Error = null)
{
    /// <summary>True when the image was classified.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The most probable class, or null when the image could not be classified.</summary>
    public Prediction? Top => Predictions.Count > 0 ? Predictions[0] : null;

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"{Source}: {Top}" : $"{Source}: {Error}";
}
