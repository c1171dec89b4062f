namespace ConvMixerNet.Cli;

/// <summary>
/// The evaluation split behind a <c>--data</c> path (the training sets are found by Training's <see cref="TrainingData"/>).
/// </summary>
internal static class DataSource
{
    /// <summary>
    /// The evaluation split of <paramref name="path"/>, decoded with <paramref name="data"/>'s size, crop and
    /// interpolation, its classes in the order of <paramref name="classNames"/> (a model's stored names) when given.
    /// </summary>
    public static (ImageDataset Dataset, IReadOnlyList<SkippedImage> Skipped) LoadForEvaluation(string path, IReadOnlyList<string>? classNames, DataConfig data, int? limit)
    {
        if (IdxLoader.IsIdxDirectory(path))
        {
            var idx = IdxLoader.LoadSplit(path, train: false, classNames ?? TrainingData.IdxClassesFor(path));
            if (idx.Height != data.InputSize || idx.Width != data.InputSize)
            {
                throw new UsageException($"The IDX images in '{path}' are {idx.Height}x{idx.Width}, but the model's input is {data.InputSize}x{data.InputSize} (IDX images are not resized; pass --input-size {idx.Height} if that is what the model was trained on).");
            }

            return (TrainingData.Limit(idx, limit), []);
        }

        var folder = new[] { "val", "test" }.Select(name => Path.Combine(path, name)).FirstOrDefault(Directory.Exists) ?? path;
        // Folders over the memory budget are read from disk as they are evaluated.
        var result = ImageFolderLoader.Open(folder, data.InputSize, new ImageFileDecoder(data), data.CropFraction, classNames, limit: limit);
        return (result.Dataset, result.Skipped);
    }
}
