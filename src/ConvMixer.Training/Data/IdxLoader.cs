namespace ConvMixerNet.Training;

/// <summary>Loads MNIST-style data sets: an IDX file of images <c>[N, H, W]</c> and one of labels <c>[N]</c>.</summary>
public static class IdxLoader
{
    /// <summary>The ten Fashion-MNIST classes in label order.</summary>
    public static IReadOnlyList<string> FashionMnistClasses { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The ten MNIST digits in label order.</summary>
    public static IReadOnlyList<string> DigitClasses { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>Loads a pair of IDX files into a one-channel <see cref="InMemoryImageDataset"/>.</summary>
    /// <param name="imagesPath">IDX file of unsigned bytes, shape <c>[N, H, W]</c> (raw or .gz).</param>
    /// <param name="labelsPath">IDX file of unsigned bytes, shape <c>[N]</c> (raw or .gz).</param>
    /// <param name="classNames">Class names; defaults to "0".."9" (or as many as the largest label needs).</param>
    public static InMemoryImageDataset Load(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null)
    {
        var (imageDims, pixels) = IdxFile.Read(imagesPath);
        var (labelDims, labelBytes) = IdxFile.Read(labelsPath);
        if (imageDims.Length != 3)
        {
            throw new IdxFormatException(imagesPath, $"images must have 3 dimensions [N, H, W], but it has {imageDims.Length} ([{string.Join(", ", imageDims)}]).");
        }

        if (labelDims.Length != 1)
        {
            throw new IdxFormatException(labelsPath, $"labels must have 1 dimension [N], but it has {labelDims.Length} ([{string.Join(", ", labelDims)}]).");
        }

        if (imageDims[0] != labelDims[0])
        {
            throw new IdxFormatException(labelsPath, $"it holds {labelDims[0]} labels but '{imagesPath}' holds {imageDims[0]} images.");
        }

        var labels = labelBytes.Select(b => (int)b).ToArray();
        var maxLabel = labels.Length == 0 ? 0 : labels.Max();
        classNames ??= maxLabel < DigitClasses.Count
            ? DigitClasses
            : Enumerable.Range(0, maxLabel + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (maxLabel >= classNames.Count)
        {
            throw new IdxFormatException(labelsPath, $"it contains label {maxLabel}, but only {classNames.Count} class names were given.");
        }

        return InMemoryImageDataset.FromBytes(pixels, labels, channels: 1, imageDims[1], imageDims[2], classNames);
    }

    /// <summary>
    /// Loads the training or test split of an MNIST-layout directory (<c>train-images-idx3-ubyte[.gz]</c>,
    /// <c>train-labels-idx1-ubyte[.gz]</c>, <c>t10k-…</c>), as shipped for MNIST and Fashion-MNIST.
    /// </summary>
    public static InMemoryImageDataset LoadSplit(string directory, bool train, IReadOnlyList<string>? classNames = null)
    {
        var prefix = train ? "train" : "t10k";
        return Load(FindFile(directory, $"{prefix}-images-idx3-ubyte"), FindFile(directory, $"{prefix}-labels-idx1-ubyte"), classNames);
    }

    /// <summary>True when <paramref name="directory"/> holds both MNIST-layout splits.</summary>
    public static bool IsIdxDirectory(string directory) =>
        Directory.Exists(directory)
        && new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }
            .All(name => File.Exists(Path.Combine(directory, name)) || File.Exists(Path.Combine(directory, name + ".gz")));

    private static string FindFile(string directory, string name)
    {
        foreach (var candidate in new[] { Path.Combine(directory, name), Path.Combine(directory, name + ".gz") })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"Neither '{name}' nor '{name}.gz' exists in '{directory}'.", Path.Combine(directory, name));
    }
}
