namespace ConvMixerNet.Training;

/// <summary>An image folder opened for evaluation (<see cref="ImageFolderLoader.Open"/>) and the files that were skipped.</summary>
/// <param name="Dataset">The readable images: in memory, or an <see cref="ImageFileDataset"/> read from disk.</param>
/// <param name="Skipped">Files that could not be decoded, with the reason; they are not in <paramref name="Dataset"/>.</param>
public sealed record ImageFolderOpenResult(ImageDataset Dataset, IReadOnlyList<SkippedImage> Skipped)
{
    /// <summary>True when the images are read from disk on every pass.</summary>
    public bool FromDisk => Dataset is ImageFileDataset;
}
