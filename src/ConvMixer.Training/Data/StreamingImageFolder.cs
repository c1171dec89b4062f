namespace ConvMixerNet.Training;

/// <summary>
/// Opens an image folder (one sub-folder per class) for streaming: lists the files without decoding them, with the
/// same layout rules as <see cref="ImageFolderLoader"/>, and decides whether the decoded images fit a memory budget (then
/// the in-memory path is faster) or must be streamed.
/// </summary>
public static class StreamingImageFolder
{
    /// <summary>The default memory budget for decoded images: 512 MiB.</summary>
    public const long DefaultMemoryBudget = 512L << 20;

    /// <summary>
    /// True when <paramref name="images"/> decoded images of <paramref name="channels"/>×<paramref name="side"/>² bytes
    /// (the in-memory path's storage) exceed <paramref name="memoryBudget"/>.
    /// </summary>
    public static bool ShouldStream(int images, int channels, int side, long memoryBudget = DefaultMemoryBudget)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(images);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryBudget);
        return (long)images * channels * side * side > memoryBudget;
    }

    /// <summary>Lists the images of <paramref name="root"/> with their labels; unusable entries (unreadable names, loops) are returned to report.</summary>
    /// <exception cref="InvalidDataException">The layout cannot make a data set (no or one class, empty classes, unknown or unreadable class folders, no image).</exception>
    public static (IReadOnlyList<(string Path, int Label)> Files, IReadOnlyList<string> ClassNames, IReadOnlyList<SkippedImage> Unusable) List(
        string root, IReadOnlySet<string> extensions, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(extensions);
        return ImageFolderLayout.List(root, extensions, classNames);
    }
}
