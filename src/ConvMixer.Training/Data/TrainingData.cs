namespace ConvMixerNet.Training;

/// <summary>
/// The training and validation sets behind a data path: an MNIST-layout IDX directory (training and test split), an
/// image folder with <c>train/</c> and <c>val/</c> (or <c>test/</c>) sub-folders, or a plain image folder with one
/// sub-folder per class.
/// </summary>
/// <param name="Train">The training set.</param>
/// <param name="Validation">The validation set, if one was given or found.</param>
/// <param name="Skipped">Image files that could not be decoded, with the reason.</param>
/// <param name="Description">Where the sets came from, in words.</param>
public sealed record TrainingData(ImageDataset Train, ImageDataset? Validation, IReadOnlyList<SkippedImage> Skipped, string Description)
{
    /// <summary>Finds and loads the sets of <paramref name="path"/>.</summary>
    /// <param name="path">An IDX directory or an image folder.</param>
    /// <param name="validationPath">Validation data instead of the split found next to the training data; an image folder larger than <see cref="StreamingImageFolder.DefaultMemoryBudget"/> is read from disk at every evaluation.</param>
    /// <param name="imageSize">Side of the square images made from an image folder.</param>
    /// <param name="limit">Use only the first N training images (the others are not decoded).</param>
    /// <param name="idxClassNames">Class names of IDX data (default: <see cref="IdxClassesFor"/>).</param>
    /// <param name="decoder">Decodes image files (<see cref="ImageFileDecoder.Default"/>, for example).</param>
    public static TrainingData Load(string path, string? validationPath, int imageSize, int? limit, IReadOnlyList<string>? idxClassNames, ImageFileDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(decoder);
        if (IdxLoader.IsIdxDirectory(path))
        {
            var train = Limit(IdxLoader.LoadSplit(path, train: true, idxClassNames ?? IdxClassesFor(path)), limit);
            var test = validationPath is null ? IdxLoader.LoadSplit(path, train: false, train.ClassNames) : null;
            return new TrainingData(train, test ?? LoadValidation(validationPath!, train, imageSize, decoder).Dataset, [], $"IDX files in {path}");
        }

        var trainFolder = TrainFolder(path);
        var trainResult = ImageFolderLoader.Load(trainFolder, imageSize, decoder, limit: limit);
        var validationFolder = ValidationFolder(path, validationPath);
        var validation = validationFolder is null ? null : ImageFolderLoader.Open(validationFolder, imageSize, decoder, classNames: trainResult.Dataset.ClassNames);
        return new TrainingData(
            trainResult.Dataset,
            validation?.Dataset,
            [.. trainResult.Skipped, .. validation?.Skipped ?? []],
            $"image folder {trainFolder}" + (validationFolder is null ? " (no validation set)" : $", validation {validationFolder}"));
    }

    // An image folder's training images: its train/ sub-folder if it has one, else the folder itself.
    internal static string TrainFolder(string path) => Directory.Exists(Path.Combine(path, "train")) ? Path.Combine(path, "train") : path;

    // The validation images: the ones asked for, else the val/ (or test/) folder beside train/, else none.
    internal static string? ValidationFolder(string path, string? validationPath) =>
        validationPath ?? new[] { "val", "test" }.Select(name => Path.Combine(path, name)).FirstOrDefault(dir => TrainFolder(path) != path && Directory.Exists(dir));

    /// <summary>The class names of the IDX data in <paramref name="path"/> when its name says: Fashion-MNIST's for a folder named after it, else null (the digits).</summary>
    // The Debian package and the original distribution keep Fashion-MNIST in a folder named after it.
    public static IReadOnlyList<string>? IdxClassesFor(string path) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))).Contains("fashion", StringComparison.OrdinalIgnoreCase)
            ? IdxLoader.FashionMnistClasses
            : null;

    /// <summary>The first <paramref name="limit"/> images of <paramref name="dataset"/> (all when null or larger).</summary>
    public static InMemoryImageDataset Limit(InMemoryImageDataset dataset, int? limit)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return limit is { } n && n < dataset.Count ? dataset.Take(n) : dataset;
    }

    private static ImageFolderOpenResult LoadValidation(string path, ImageDataset train, int imageSize, ImageFileDecoder decoder) =>
        IdxLoader.IsIdxDirectory(path)
            ? new ImageFolderOpenResult(IdxLoader.LoadSplit(path, train: false, train.ClassNames), [])
            : ImageFolderLoader.Open(path, imageSize, decoder, classNames: train.ClassNames);
}
