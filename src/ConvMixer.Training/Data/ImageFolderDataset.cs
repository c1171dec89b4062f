using ConvMixerNet.Vision;

namespace ConvMixerNet;

/// <summary>
/// Loads an image-folder data set (one sub-folder per class, as torchvision's <c>ImageFolder</c>): every image is
/// decoded, its shorter side resized and its centre cropped to a square with ConvMixer.Vision's preprocessing, and
/// kept in memory as 8-bit RGB, so epochs never wait on decoding.
/// </summary>
public static class ImageFolderDataset
{
    /// <summary>File extensions treated as images (case-insensitive).</summary>
    public static IReadOnlySet<string> ImageExtensions { get; } =
        new HashSet<string>([".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Loads <paramref name="root"/>. Class names are the sub-folder names in ordinal order; unreadable files are
    /// skipped and listed in the result instead of failing the whole set.
    /// </summary>
    /// <param name="root">Directory with one sub-folder per class.</param>
    /// <param name="imageSize">Side of the square images produced.</param>
    /// <param name="cropFraction">Fraction of the resized image kept by the centre crop (1 keeps the whole shorter side).</param>
    /// <param name="classNames">Expected classes (for example those of the training set when loading a validation set); null takes the sub-folders.</param>
    /// <param name="progress">Receives (files done, files) while decoding.</param>
    /// <param name="cancellationToken">Stops decoding.</param>
    public static ImageFolderLoadResult Load(
        string root,
        int imageSize,
        double cropFraction = 1.0,
        IReadOnlyList<string>? classNames = null,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
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
            .SelectMany((name, label) => EnumerateImages(Path.Combine(root, name)).Select(path => (Path: path, Label: label)))
            .ToArray();
        if (files.Length == 0)
        {
            throw new InvalidDataException($"Image folder '{root}' holds no images ({string.Join(", ", ImageExtensions)}).");
        }

        var preprocessor = new ImagePreprocessor(new ImageDataConfig { InputSize = imageSize, CropFraction = cropFraction });
        var size = 3 * imageSize * imageSize;
        var decoded = new byte[files.Length][];
        var errors = new string?[files.Length];
        var done = 0;
        Parallel.For(0, files.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            try
            {
                decoded[i] = ToPlanar(preprocessor.ResizeAndCrop(preprocessor.Decode(files[i].Path)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                errors[i] = e is ImageDecodeException decode ? decode.Reason : e.Message;
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

        var dataset = InMemoryImageDataset.FromBytes(pixels, kept.Select(i => files[i].Label).ToArray(), 3, imageSize, imageSize, classNames.ToArray());
        var skipped = Enumerable.Range(0, files.Length).Where(i => errors[i] is not null).Select(i => new SkippedImage(files[i].Path, errors[i]!)).ToArray();
        return new ImageFolderLoadResult(dataset, skipped);
    }

    private static IEnumerable<string> EnumerateImages(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(path => ImageExtensions.Contains(Path.GetExtension(path)))
                .Order(StringComparer.Ordinal)
            : [];

    // RGB interleaved (HWC) to planar (CHW), the layout of the model's input.
    private static byte[] ToPlanar(RgbImage image)
    {
        var plane = image.Width * image.Height;
        var planar = new byte[3 * plane];
        var source = image.Pixels;
        for (var i = 0; i < plane; i++)
        {
            planar[i] = source[3 * i];
            planar[plane + i] = source[(3 * i) + 1];
            planar[(2 * plane) + i] = source[(3 * i) + 2];
        }

        return planar;
    }
}
