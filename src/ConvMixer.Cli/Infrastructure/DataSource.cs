namespace ConvMixerNet.Cli;

/// <summary>
/// Finds the training and validation sets behind a <c>--data</c> path: an MNIST-layout IDX directory (training
/// and test split), an image folder with <c>train/</c> and <c>val/</c> (or <c>test/</c>) sub-folders, or a plain
/// image folder with one sub-folder per class.
/// </summary>
internal static class DataSource
{
    public sealed record Loaded(ImageDataset Train, ImageDataset? Validation, IReadOnlyList<SkippedImage> Skipped, string Description);

    public static Loaded LoadForTraining(string path, string? validationPath, int imageSize, int? limit, IReadOnlyList<string>? idxClassNames = null)
    {
        if (IdxLoader.IsIdxDirectory(path))
        {
            var train = Limit(IdxLoader.LoadSplit(path, train: true, idxClassNames ?? ClassesFor(path)), limit);
            var test = validationPath is null ? IdxLoader.LoadSplit(path, train: false, train.ClassNames) : null;
            return new Loaded(train, test ?? LoadValidation(validationPath!, train, imageSize).Dataset, [], $"IDX files in {path}");
        }

        var trainFolder = Directory.Exists(Path.Combine(path, "train")) ? Path.Combine(path, "train") : path;
        var trainResult = ImageFolderLoader.Load(trainFolder, imageSize, ImageFileDecoder.Default);
        var validationFolder = validationPath
            ?? new[] { "val", "test" }.Select(name => Path.Combine(path, name)).FirstOrDefault(dir => trainFolder != path && Directory.Exists(dir));
        var validation = validationFolder is null ? null : ImageFolderLoader.Load(validationFolder, imageSize, ImageFileDecoder.Default, classNames: trainResult.Dataset.ClassNames);
        return new Loaded(
            Limit(trainResult.Dataset, limit),
            validation?.Dataset,
            [.. trainResult.Skipped, .. validation?.Skipped ?? []],
            $"image folder {trainFolder}" + (validationFolder is null ? " (no validation set)" : $", validation {validationFolder}"));
    }

    /// <summary>
    /// The evaluation split of <paramref name="path"/>, decoded with <paramref name="data"/>'s size, crop and
    /// interpolation, its classes in the order of <paramref name="classNames"/> (a model's stored names) when given.
    /// </summary>
    public static (ImageDataset Dataset, IReadOnlyList<SkippedImage> Skipped) LoadForEvaluation(string path, IReadOnlyList<string>? classNames, DataConfig data, int? limit)
    {
        if (IdxLoader.IsIdxDirectory(path))
        {
            var idx = IdxLoader.LoadSplit(path, train: false, classNames ?? ClassesFor(path));
            if (idx.Height != data.InputSize || idx.Width != data.InputSize)
            {
                throw new UsageException($"The IDX images in '{path}' are {idx.Height}x{idx.Width}, but the model's input is {data.InputSize}x{data.InputSize} (IDX images are not resized; pass --input-size {idx.Height} if that is what the model was trained on).");
            }

            return (Limit(idx, limit), []);
        }

        var folder = new[] { "val", "test" }.Select(name => Path.Combine(path, name)).FirstOrDefault(Directory.Exists) ?? path;
        var result = ImageFolderLoader.Load(folder, data.InputSize, new ImageFileDecoder(data), data.CropFraction, classNames: classNames);
        return (Limit(result.Dataset, limit), result.Skipped);
    }

    private static ImageFolderLoadResult LoadValidation(string path, ImageDataset train, int imageSize) =>
        IdxLoader.IsIdxDirectory(path)
            ? new ImageFolderLoadResult(IdxLoader.LoadSplit(path, train: false, train.ClassNames), [])
            : ImageFolderLoader.Load(path, imageSize, ImageFileDecoder.Default, classNames: train.ClassNames);

    // The Debian package and the original distribution keep Fashion-MNIST in a folder named after it.
    private static IReadOnlyList<string>? ClassesFor(string path) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))).Contains("fashion", StringComparison.OrdinalIgnoreCase)
            ? IdxLoader.FashionMnistClasses
            : null;

    private static InMemoryImageDataset Limit(InMemoryImageDataset dataset, int? limit) =>
        limit is { } n && n < dataset.Count ? dataset.Take(n) : dataset;
}
