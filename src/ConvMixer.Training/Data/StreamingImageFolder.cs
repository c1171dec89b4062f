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
    /// <exception cref="InvalidDataException">The layout cannot make a data set (no or one class, empty classes, unknown class folders, no image).</exception>
    public static (IReadOnlyList<(string Path, int Label)> Files, IReadOnlyList<string> ClassNames, IReadOnlyList<SkippedImage> Unusable) List(
        string root, IReadOnlySet<string> extensions, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(extensions);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        }

        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var isTrainingSet = classNames is null;
        classNames ??= folders;
        if (classNames.Count == 0 || (isTrainingSet && classNames.Count == 1))
        {
            throw new InvalidDataException($"Image folder '{root}' has {classNames.Count} class folder(s); a classifier needs at least two classes, each in a sub-folder named after it.");
        }

        var unknown = folders.Except(classNames, StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidDataException($"Image folder '{root}' has sub-folders that are not known classes: {string.Join(", ", unknown)}.");
        }

        var classFolders = classNames.Select(name => Path.Combine(root, name)).ToArray();
        var scans = classFolders
            .Select((folder, label) => Directory.Exists(folder)
                ? FolderScanner.FindFiles(folder, extensions, classFolders.Where((_, other) => other != label))
                : new FolderScan([], []))
            .ToArray();
        var empty = classNames.Where((_, label) => scans[label].Files.Count == 0).ToArray();
        if (isTrainingSet && empty.Length > 0)
        {
            throw new InvalidDataException($"Image folder '{root}' has class folders without images: {string.Join(", ", empty)}; add images ({string.Join(", ", extensions)}) or remove those folders.");
        }

        var files = scans.SelectMany((scan, label) => scan.Files.Select(path => (path, label))).ToArray();
        if (files.Length == 0)
        {
            throw new InvalidDataException($"Image folder '{root}' holds no images ({string.Join(", ", extensions)}).");
        }

        var unusable = scans.SelectMany(scan => scan.Problems).Select(p => new SkippedImage(p.Path, p.Reason)).ToArray();
        return (files, classNames.ToArray(), unusable);
    }
}
