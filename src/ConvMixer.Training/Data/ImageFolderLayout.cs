namespace ConvMixerNet.Training;

/// <summary>
/// The layout rules of an image-folder data set (one sub-folder per class, as torchvision's <c>ImageFolder</c>), in
/// one place for the in-memory <see cref="ImageFolderLoader"/> and the streaming <see cref="StreamingImageFolder"/>.
/// Class folders are searched with <see cref="FolderScanner"/>: links are followed once, never into another class
/// folder, and each real file counts once. A training set (no class names given) needs at least two classes, each
/// with images.
/// </summary>
internal static class ImageFolderLayout
{
    /// <summary>Lists the images of <paramref name="root"/> with their labels; unusable entries (unreadable names, loops) are returned to report.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">The layout cannot make a data set (no or one class, empty classes, unknown or unreadable class folders, no image).</exception>
    public static ((string Path, int Label)[] Files, IReadOnlyList<string> ClassNames, SkippedImage[] Unusable) List(
        string root, IReadOnlySet<string> extensions, IReadOnlyList<string>? classNames)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        }

        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var undecodable = folders.Where(name => !Directory.Exists(Path.Combine(root, name))).ToArray();
        if (undecodable.Length > 0)
        {
            throw new InvalidDataException(
                $"Image folder '{root}' has sub-folders whose images cannot be read: {string.Join(", ", undecodable)} ({FolderScanner.InvalidNameReason}).");
        }

        var isTrainingSet = classNames is null;
        classNames ??= folders;
        if (classNames.Count == 0)
        {
            throw new InvalidDataException($"Image folder '{root}' has no sub-folders; put the images of each class in a sub-folder named after it.");
        }

        if (isTrainingSet && classNames.Count == 1)
        {
            throw new InvalidDataException($"Image folder '{root}' has one class folder ('{classNames[0]}'); a classifier needs at least two classes, each in a sub-folder named after it.");
        }

        var unknown = folders.Except(classNames, StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidDataException($"Image folder '{root}' has sub-folders that are not known classes: {string.Join(", ", unknown)}.");
        }

        // Each class folder is searched without entering the others, so a link into another class cannot mislabel its images.
        var classFolders = classNames.Select(name => Path.Combine(root, name)).ToArray();
        var scans = classFolders
            .Select((folder, label) => Directory.Exists(folder)
                ? FolderScanner.FindFiles(folder, extensions, classFolders.Where((_, other) => other != label))
                : new FolderScan([], []))
            .ToArray();
        var empty = classNames.Where((_, label) => scans[label].Files.Count == 0).ToArray();
        if (isTrainingSet && empty.Length > 0 && empty.Length < classNames.Count)
        {
            throw new InvalidDataException(
                $"Image folder '{root}' has class folders without images: {string.Join(", ", empty)}; add images ({string.Join(", ", extensions)}) or remove those folders.");
        }

        var files = scans.SelectMany((scan, label) => scan.Files.Select(path => (Path: path, Label: label))).ToArray();
        var unusable = scans.SelectMany(scan => scan.Problems).Select(p => new SkippedImage(p.Path, p.Reason)).ToArray();
        if (files.Length == 0)
        {
            throw new InvalidDataException($"Image folder '{root}' holds no images ({string.Join(", ", extensions)})."
                + (unusable.Length > 0 ? $" {unusable[0].Path}: {unusable[0].Reason}." : string.Empty));
        }

        return (files, classNames, unusable);
    }
}
