namespace ConvMixerNet.Training;

/// <summary>
/// Loads an image-folder data set (one sub-folder per class, as torchvision's <c>ImageFolder</c>): every image is
/// decoded by ConvMixerNet.Vision's <see cref="ImageFileDecoder"/>, its
/// shorter side resized and its centre cropped to a square, and kept in memory as 8-bit pixels, so epochs never
/// wait on decoding.
/// </summary>
public static class ImageFolderLoader
{
    /// <summary>
    /// Loads <paramref name="root"/>. Class names are the sub-folder names in ordinal order; unreadable files are
    /// skipped and listed in the result instead of failing the whole set.
    /// </summary>
    /// <remarks>
    /// Class folders are searched with <see cref="FolderScanner"/>: links are followed once, never into another class
    /// folder, and each real file counts once. A training set (no <paramref name="classNames"/>) needs at least two
    /// classes, each with images.
    /// </remarks>
    /// <exception cref="InvalidDataException">The layout cannot make a data set (no or one class, empty classes, unknown or unreadable class folders, no readable image).</exception>
    /// <param name="root">Directory with one sub-folder per class.</param>
    /// <param name="imageSize">Side of the square images produced.</param>
    /// <param name="decoder">Reads the image files; folders are searched for its <see cref="ImageFileDecoder.FileExtensions"/>.</param>
    /// <param name="cropFraction">Fraction of the resized image kept by the centre crop (1 keeps the whole shorter side).</param>
    /// <param name="classNames">Expected classes (for example those of the training set when loading a validation set); null takes the sub-folders.</param>
    /// <param name="progress">Receives (files done, files) while decoding.</param>
    /// <param name="cancellationToken">Stops decoding.</param>
    public static ImageFolderLoadResult Load(
        string root,
        int imageSize,
        ImageFileDecoder decoder,
        double cropFraction = 1.0,
        IReadOnlyList<string>? classNames = null,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        ArgumentNullException.ThrowIfNull(decoder);
        var (files, names, unusable) = ImageFolderLayout.List(root, decoder.FileExtensions, classNames);
        classNames = names;

        var size = decoder.Channels * imageSize * imageSize;
        var decoded = new byte[files.Length][];
        var errors = new string?[files.Length];
        var done = 0;
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, files.Length, parallel, i =>
        {
            try
            {
                decoded[i] = decoder.DecodePlanar(files[i].Path, imageSize, cropFraction);
                if (decoded[i].Length != size)
                {
                    throw new InvalidOperationException($"{decoder.GetType().Name} returned {decoded[i].Length} bytes for a {decoder.Channels}x{imageSize}x{imageSize} image.");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or OutOfMemoryException)
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
        var skipped = Enumerable.Range(0, files.Length).Where(i => errors[i] is not null).Select(i => new SkippedImage(files[i].Path, errors[i]!)).Concat(unusable).ToArray();
        return new ImageFolderLoadResult(dataset, skipped);
    }
}
