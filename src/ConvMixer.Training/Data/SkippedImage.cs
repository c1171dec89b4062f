namespace ConvMixerNet.Training;

/// <summary>An image file that could not be used, and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">What went wrong (for example "not an image SkiaSharp can decode").</param>
public sealed record SkippedImage(string Path, string Reason);
