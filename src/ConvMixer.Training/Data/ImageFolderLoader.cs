using System.Globalization;

namespace ConvMixerNet.Training;

/// <summary>
/// Loads an image-folder data set (one sub-folder per class, as torchvision's <c>ImageFolder</c>): every image is
/// decoded by ConvMixerNet.Vision's <see cref="ImageFileDecoder"/>, its
/// shorter side resized and its centre cropped to a square, and kept in memory as 8-bit pixels, so epochs never
/// wait on decoding. <see cref="Open"/> reads a folder over a memory budget from disk instead (evaluation sets).
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
    /// <exception cref="InvalidDataException">The layout cannot make a data set (no or one class, empty classes, unknown or unreadable class folders, no readable image), or the images would exceed what one array holds (about 2 GiB of pixels; <see cref="Open"/> reads such folders from disk).</exception>
    /// <param name="root">Directory with one sub-folder per class.</param>
    /// <param name="imageSize">Side of the square images produced.</param>
    /// <param name="decoder">Reads the image files; folders are searched for its <see cref="ImageFileDecoder.FileExtensions"/>.</param>
    /// <param name="cropFraction">Fraction of the resized image kept by the centre crop (1 keeps the whole shorter side).</param>
    /// <param name="classNames">Expected classes (for example those of the training set when loading a validation set); null takes the sub-folders.</param>
    /// <param name="progress">Receives (files done, files) while decoding.</param>
    /// <param name="cancellationToken">Stops decoding.</param>
    /// <param name="limit">Only the first N files (in class, then name order) are decoded; null decodes all.</param>
    public static ImageFolderLoadResult Load(
        string root,
        int imageSize,
        ImageFileDecoder decoder,
        double cropFraction = 1.0,
        IReadOnlyList<string>? classNames = null,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default,
        int? limit = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        ArgumentNullException.ThrowIfNull(decoder);
        var (files, names, unusable) = List(root, decoder, classNames, limit);
        return LoadListed(root, files, names, unusable, imageSize, decoder, cropFraction, progress, cancellationToken);
    }

    private static ImageFolderLoadResult LoadListed(
        string root, (string Path, int Label)[] files, IReadOnlyList<string> names, SkippedImage[] unusable, int imageSize, ImageFileDecoder decoder,
        double cropFraction, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        var size = decoder.Channels * imageSize * imageSize;
        // Checked before decoding: a folder of photos at 224² passes 2 GiB at about 14,000 images.
        if ((long)files.Length * size > Array.MaxLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The {files.Length} images in '{root}' at {decoder.Channels}x{imageSize}x{imageSize} are {(long)files.Length * size >> 20} MiB of pixels, more than one in-memory data set holds ({Array.MaxLength >> 20} MiB): use fewer or smaller images, or read them from disk (ImageFolderLoader.Open, or a StreamingImageDataset for training)."));
        }

        var decoded = new byte[files.Length][];
        var errors = Decode(files, imageSize, decoder, cropFraction, decoded, progress, cancellationToken);
        var kept = Enumerable.Range(0, files.Length).Where(i => errors[i] is null).ToArray();
        NotNone(root, files, kept, errors);
        var pixels = new byte[kept.Length * size];
        for (var k = 0; k < kept.Length; k++)
        {
            decoded[kept[k]].CopyTo(pixels, k * size);
        }

        var dataset = InMemoryImageDataset.FromBytes(pixels, kept.Select(i => files[i].Label).ToArray(), decoder.Channels, imageSize, imageSize, names.ToArray());
        return new ImageFolderLoadResult(dataset, Skipped(files, errors, unusable));
    }

    /// <summary>
    /// Opens <paramref name="root"/> for evaluation: decoded into memory as <see cref="Load"/> does when the images fit
    /// <paramref name="memoryBudget"/>, otherwise read from disk on every pass (<see cref="ImageFileDataset"/>), so memory
    /// does not grow with the folder. Either way every file is decoded once here, and the unreadable ones are skipped
    /// and listed; both give the same pixels.
    /// </summary>
    /// <param name="root">Directory with one sub-folder per class.</param>
    /// <param name="imageSize">Side of the square images produced.</param>
    /// <param name="decoder">Reads the image files.</param>
    /// <param name="cropFraction">Fraction of the resized image kept by the centre crop.</param>
    /// <param name="classNames">Expected classes; null takes the sub-folders.</param>
    /// <param name="memoryBudget">Bytes of pixels (channels × size² per image) the images may take in memory.</param>
    /// <param name="limit">Only the first N files; null takes all.</param>
    /// <param name="cancellationToken">Stops decoding.</param>
    /// <exception cref="InvalidDataException">The layout cannot make a data set, or no image is readable.</exception>
    public static ImageFolderOpenResult Open(
        string root,
        int imageSize,
        ImageFileDecoder decoder,
        double cropFraction = 1.0,
        IReadOnlyList<string>? classNames = null,
        long memoryBudget = StreamingImageFolder.DefaultMemoryBudget,
        int? limit = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        ArgumentNullException.ThrowIfNull(decoder);
        var (files, names, unusable) = List(root, decoder, classNames, limit);
        if (!StreamingImageFolder.ShouldStream(files.Length, decoder.Channels, imageSize, memoryBudget))
        {
            var loaded = LoadListed(root, files, names, unusable, imageSize, decoder, cropFraction, progress: null, cancellationToken);
            return new ImageFolderOpenResult(loaded.Dataset, loaded.Skipped);
        }

        // Decoded once to find the unreadable files now rather than in the middle of an evaluation.
        var errors = Decode(files, imageSize, decoder, cropFraction, decoded: null, progress: null, cancellationToken);
        var kept = Enumerable.Range(0, files.Length).Where(i => errors[i] is null).ToArray();
        NotNone(root, files, kept, errors);
        var dataset = new ImageFileDataset(kept.Select(i => files[i]).ToArray(), names, decoder, imageSize, cropFraction);
        return new ImageFolderOpenResult(dataset, Skipped(files, errors, unusable));
    }

    private static ((string Path, int Label)[] Files, IReadOnlyList<string> Names, SkippedImage[] Unusable) List(
        string root, ImageFileDecoder decoder, IReadOnlyList<string>? classNames, int? limit)
    {
        var (files, names, unusable) = ImageFolderLayout.List(root, decoder.FileExtensions, classNames);
        return (limit is { } n && n < files.Length ? files[..Math.Max(0, n)] : files, names, unusable);
    }

    // Decodes every file in parallel, keeping the pixels when asked; the reason each unreadable file failed.
    private static string?[] Decode(
        (string Path, int Label)[] files, int imageSize, ImageFileDecoder decoder, double cropFraction, byte[][]? decoded,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        var size = decoder.Channels * imageSize * imageSize;
        var errors = new string?[files.Length];
        var done = 0;
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, files.Length, parallel, i =>
        {
            try
            {
                var pixels = decoder.DecodePlanar(files[i].Path, imageSize, cropFraction);
                if (pixels.Length != size)
                {
                    throw new InvalidOperationException($"{decoder.GetType().Name} returned {pixels.Length} bytes for a {decoder.Channels}x{imageSize}x{imageSize} image.");
                }

                if (decoded is not null)
                {
                    decoded[i] = pixels;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or OutOfMemoryException)
            {
                errors[i] = e.Message;
            }

            progress?.Report((Interlocked.Increment(ref done), files.Length));
        });
        return errors;
    }

    private static void NotNone(string root, (string Path, int Label)[] files, int[] kept, string?[] errors)
    {
        if (kept.Length == 0)
        {
            throw new InvalidDataException(files.Length == 0
                ? $"Image folder '{root}' has no images to read."
                : $"None of the {files.Length} images in '{root}' could be read; the first failed with: {errors[0]}");
        }
    }

    private static SkippedImage[] Skipped((string Path, int Label)[] files, string?[] errors, SkippedImage[] unusable) =>
        Enumerable.Range(0, files.Length).Where(i => errors[i] is not null).Select(i => new SkippedImage(files[i].Path, errors[i]!)).Concat(unusable).ToArray();
}
