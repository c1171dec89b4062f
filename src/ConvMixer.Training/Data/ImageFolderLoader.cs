namespace ConvMixerNet.Training;

/// <summary>
/// Loads an image-folder data set (one sub-folder per class, as torchvision's <c>ImageFolder</c>): every image is
/// decoded by an <see cref="IImageFileDecoder"/> (ConvMixerNet.Vision's <c>ImageFileDecoder</c>, for example), its
/// shorter side resized and its centre cropped to a square, and kept in memory as 8-bit pixels, so epochs never
/// wait on decoding.
/// </summary>
public static class ImageFolderLoader
{
    /// <summary>
    /// Loads <paramref name="root"/>. Class names are the sub-folder names in ordinal order; unreadable files are
    /// skipped and listed in the result instead of failing the whole set.
    /// </summary>
    /// <param name="root">Directory with one sub-folder per class.</param>
    /// <param name="imageSize">Side of the square images produced.</param>
    /// <param name="decoder">Reads the image files; folders are searched for its <see cref="IImageFileDecoder.FileExtensions"/>.</param>
    /// <param name="cropFraction">Fraction of the resized image kept by the centre crop (1 keeps the whole shorter side).</param>
    /// <param name="classNames">Expected classes (for example those of the training set when loading a validation set); null takes the sub-folders.</param>
    /// <param name="progress">Receives (files done, files) while decoding.</param>
    /// <param name="cancellationToken">Stops decoding.</param>
    public static ImageFolderLoadResult Load(
        string root,
        int imageSize,
        IImageFileDecoder decoder,
        double cropFraction = 1.0,
        IReadOnlyList<string>? classNames = null,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        ArgumentNullException.ThrowIfNull(decoder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        }

        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        classNames ??= folders;
        if (classNames.Count == 0)
        {
            throw new InvalidDataException($"Image folder '{root}' has no sub-folders; put the images of each class in a sub-folder named after it.");
        }

        var unknown = folders.Except(classNames, StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidDataException($"Image folder '{root}' has sub-folders that are not known classes: {string.Join(", ", unknown)}.");
        }

        var files = classNames
            .SelectMany((name, label) => EnumerateImages(Path.Combine(root, name), decoder.FileExtensions).Select(path => (Path: path, Label: label)))
            .ToArray();
        if (files.Length == 0)
        {
            throw new InvalidDataException($"Image folder '{root}' holds no images ({string.Join(", ", decoder.FileExtensions)}).");
        }

        var size = decoder.Channels * imageSize * imageSize;
        var decoded = new byte[files.Length][];
        var errors = new string?[files.Length];
        var done = 0;
        Parallel.For(0, files.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            try
            {
                decoded[i] = decoder.DecodePlanar(files[i].Path, imageSize, cropFraction);
                if (decoded[i].Length != size)
                {
                    throw new InvalidOperationException($"{decoder.GetType().Name} returned {decoded[i].Length} bytes for a {decoder.Channels}x{imageSize}x{imageSize} image.");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                errors[i] = e.Message;
            }

            progress?.Report((Interlocked.Increment(ref done), files.Length));
        });

        var kept = Enumerable.Range(0, files.Length).Where(i => errors[i] is null).ToArray();
        if (kept.Length == 0)
        {
            throw new InvalidDataException($"None of the {files.Length} images in '{root}' could be read; the first failed with: {errors[0]}");
        }

        var pixels = new byte[kept.Length * size];
        for (var k = 0; k < kept.Length; k++)
        {
            decoded[kept[k]].CopyTo(pixels, k * size);
        }

        var dataset = InMemoryImageDataset.FromBytes(pixels, kept.Select(i => files[i].Label).ToArray(), decoder.Channels, imageSize, imageSize, classNames.ToArray());
        var skipped = Enumerable.Range(0, files.Length).Where(i => errors[i] is not null).Select(i => new SkippedImage(files[i].Path, errors[i]!)).ToArray();
        return new ImageFolderLoadResult(dataset, skipped);
    }

    private static IEnumerable<string> EnumerateImages(string folder, IReadOnlySet<string> extensions) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(path => extensions.Contains(Path.GetExtension(path)))
                .Order(StringComparer.Ordinal)
            : [];
}
