namespace ConvMixerNet.Vision;

/// <summary>
/// The result for one image of <see cref="ImageClassifier.ExplainMany"/>: its explanation, or why it could not be
/// read (<see cref="Error"/>) while the other images were explained.
/// </summary>
/// <param name="Source">The image's path as given.</param>
/// <param name="Explanation">The map and the class it explains; null when <see cref="Error"/> is set.</param>
/// <param name="Error">Why the image could not be read or decoded, or null on success.</param>
public sealed record ImageExplanation(string Source, Explanation? Explanation, string? Error = null)
{
    /// <summary>True when the image was explained.</summary>
    public bool Succeeded => Error is null;

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"{Source}: {Explanation}" : $"{Source}: {Error}";
}
