namespace ConvMixerNet.Training;

/// <summary>An image-folder data set and the files that were skipped while loading it.</summary>
/// <param name="Dataset">The readable images.</param>
/// <param name="Skipped">Files that could not be decoded, with the reason; they are not in <paramref name="Dataset"/>.</param>
public sealed record ImageFolderLoadResult(InMemoryImageDataset Dataset, IReadOnlyList<SkippedImage> Skipped)
{
    /// <summary>A one-line summary: images kept, classes and files skipped.</summary>
    public override string ToString() =>
        $"{Dataset.Count} images in {Dataset.ClassCount} classes, {Skipped.Count} unreadable file(s) skipped";
}
