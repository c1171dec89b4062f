using System.Globalization;

namespace ConvMixerNet.Training;

/// <summary>
/// Image folders of photos trained with timm's transforms: which path reads them (streamed by workers, or decoded once
/// and kept), at which size (the pretrained model's input size unless <c>--image-size</c> is typed), and the data sets.
/// Validation images are preprocessed as the trained model will be (resize to size / crop fraction, centre crop).
/// </summary>
public static class PhotoFolderData
{
    /// <summary>
    /// The image-folder options a run reads <paramref name="request"/>'s data with: the typed or recipe's, or, for an
    /// image folder whose images at the training size exceed the default budget, timm's default transforms (the
    /// in-memory pixels path would not fit). Null options: the data is read by <see cref="TrainingData.Load"/> (IDX, or a
    /// folder held in memory as pixels). The note says what was decided for the user.
    /// </summary>
    /// <exception cref="TrainingDataException">Photo transforms asked for IDX data, or mixed with the pixel path's augmentation.</exception>
    public static PhotoFolderChoice Choose(TrainingRequest request, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var isIdx = IdxLoader.IsIdxDirectory(request.Data);
        var typed = request.Given.Any(IsImageFolderFlag);
        if (isIdx)
        {
            // A recipe's photo transforms do not apply to IDX tensors; typed ones are a mistake worth saying.
            if (typed)
            {
                throw new TrainingDataException($"{string.Join(", ", request.Given.Where(IsImageFolderFlag).Order(StringComparer.Ordinal))}: these transform photos of an image folder; '{request.Data}' holds IDX files.");
            }

            // Silently training without the recipe's augmentation would give a weaker model than the recipe promises.
            return new PhotoFolderChoice(null, options.ImageFolder is not null && !request.Resume
                ? $"the recipe's photo transforms (random resized crop, flips{(options.ImageFolder.AutoAugment is null ? string.Empty : ", RandAugment")}) apply to image folders; '{request.Data}' holds IDX files, which train with --crop-padding and --flip only."
                : null);
        }

        var chosen = options.ImageFolder;
        string? note = null;
        if (chosen is null && !request.Resume && !request.Given.Contains("--crop-padding") && !request.Given.Contains("--flip"))
        {
            var count = StreamingImageFolder.List(TrainingData.TrainFolder(request.Data), ImageDecoder.FileExtensions).Files.Count;
            var images = request.Limit is { } n ? Math.Min(n, count) : count;
            if (StreamingImageFolder.ShouldStream(images, 3, request.ImageSize))
            {
                note = string.Create(CultureInfo.InvariantCulture,
                    $"{images} images at {request.ImageSize}x{request.ImageSize} exceed the {StreamingImageFolder.DefaultMemoryBudget >> 20} MiB budget of the in-memory path; they are streamed with timm's training transforms (--scale, --ratio, --hflip, --color-jitter).");
                chosen = new ImageFolderTrainingOptions { Streaming = true };
            }
        }

        if (chosen is not null && (request.Given.Contains("--crop-padding") || request.Given.Contains("--flip")))
        {
            throw new TrainingDataException("--crop-padding and --flip augment images held in memory as pixels; with timm's transforms (--aa, --scale, --ratio, --hflip, --color-jitter, or a recipe that uses them) flip with --hflip.");
        }

        return new PhotoFolderChoice(chosen, note);
    }

    /// <summary>
    /// Lists the photos, finds the training size and the data configuration (a resumed run's; the pretrained model's
    /// preprocessing; or the images' own statistics), chooses the path by the memory budget unless forced, and builds
    /// the data sets.
    /// </summary>
    /// <param name="request">The run's request.</param>
    /// <param name="options">The options with <see cref="TrainerOptions.ImageFolder"/> set (<see cref="Choose"/>).</param>
    /// <param name="saved">The resumed run's state, or null.</param>
    /// <param name="pretrainedFor">Loads the starting model for the listed number of classes (null: from scratch); its preprocessing is the data configuration.</param>
    /// <exception cref="TrainingDataException">A transform's parameters are invalid, or a resumed run stores no data configuration.</exception>
    public static PhotoFolderLoad Load(TrainingRequest request, TrainerOptions options, CheckpointState? saved, Func<int, ConvMixer>? pretrainedFor)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var folder = options.ImageFolder ?? throw new InvalidOperationException("No image-folder options.");
        var trainFolder = TrainingData.TrainFolder(request.Data);
        var validationFolder = TrainingData.ValidationFolder(request.Data, request.Validation);
        var (listed, classes, unusable) = StreamingImageFolder.List(trainFolder, ImageDecoder.FileExtensions);
        var files = request.Limit is { } n && n < listed.Count ? listed.Take(n).ToArray() : listed;

        ConvMixer? pretrained = null;
        DataConfig data;
        if (saved is not null)
        {
            data = saved.Options.Data ?? throw new TrainingDataException("--resume: the checkpoint stores no data configuration for its image folder.");
        }
        else if (pretrainedFor is not null)
        {
            pretrained = pretrainedFor(classes.Count);
            data = PretrainedData(request, pretrained);
        }
        else
        {
            var side = request.ImageSize;
            data = Measure(files, classes, side);
        }

        var streaming = folder.Streaming ?? StreamingImageFolder.ShouldStream(files.Count, 3, data.InputSize, folder.MemoryBudget);
        folder = folder with { Streaming = streaming };
        ITrainingImageReader reader;
        try
        {
            var transform = Transform(folder, data);
            reader = streaming ? new TrainingImageReader(transform) : new CachedTrainingImageReader(transform);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            pretrained?.Dispose();
            throw new TrainingDataException(e is FormatException ? $"--aa: {e.Message}" : e.Message);
        }

        var train = new StreamingImageDataset(files, classes, reader, folder.Workers);
        var validation = validationFolder is null
            ? null
            : ImageFolderLoader.Open(validationFolder, data.InputSize, new ImageFileDecoder(data), data.CropFraction, classes, folder.MemoryBudget);
        var bytes = 3L * data.InputSize * data.InputSize * files.Count;
        var path = streaming
            ? $"streamed from disk ({MiB(bytes)} MiB at {data.InputSize}x{data.InputSize}{(folder.Streaming == true && options.ImageFolder?.Streaming is null ? $", over the {MiB(folder.MemoryBudget)} MiB budget" : string.Empty)})"
            : $"kept in memory (at least {MiB(bytes)} MiB: {data.InputSize}x{data.InputSize} each, more for photos that are not square)";
        var description = $"image folder {trainFolder}, {path}, {train.Workers} workers"
            + (validationFolder is null ? " (no validation set)" : $", validation {validationFolder}{(validation!.FromDisk ? " (read from disk at each evaluation: over the budget)" : string.Empty)}");
        return new PhotoFolderLoad(
            new TrainingData(train, validation?.Dataset, [.. unusable, .. validation?.Skipped ?? []], description),
            options with { Data = data, ImageFolder = folder },
            pretrained);
    }

    private static bool IsImageFolderFlag(string name) =>
        name is "--aa" or "--scale" or "--ratio" or "--hflip" or "--color-jitter" or "--train-interpolation" or "--streaming" or "--in-memory" or "--memory-budget" or "--workers";

    private static string MiB(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.###", CultureInfo.InvariantCulture);

    // The pretrained model's own preprocessing (its statistics, crop fraction and filter, else the published models'),
    // at its input size unless --image-size is typed: fine-tuning at the size the features were learnt at.
    private static DataConfig PretrainedData(TrainingRequest request, ConvMixer model)
    {
        var stored = model.Pretrained?.Data is { } d && d.InChannels == model.Config.InChannels ? d : null;
        var side = request.Given.Contains("--image-size") ? request.ImageSize : stored?.InputSize ?? request.ImageSize;
        var start = stored ?? (model.Config.InChannels == 3
            ? DataConfig.ImageNet
            : DataConfig.ImageNet with { InChannels = 1, Mean = [DataConfig.ImageNetMean.Average()], Std = [DataConfig.ImageNetStd.Average()] });
        return start with { InputSize = side };
    }

    // From scratch: the training set's own statistics (as the in-memory path measures them) over up to 500 evenly
    // spread images, decoded at the training size.
    private static DataConfig Measure(IReadOnlyList<(string Path, int Label)> files, IReadOnlyList<string> classes, int side)
    {
        var used = Math.Min(500, files.Count);
        var pixels = new List<byte>();
        var labels = new List<int>();
        for (var k = 0; k < used; k++)
        {
            var (path, label) = files[(int)((long)k * files.Count / used)];
            try
            {
                pixels.AddRange(ImageFileDecoder.Default.DecodePlanar(path, side, 1.0));
                labels.Add(label);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImageDecodeException)
            {
                // Reported when the loader reaches the file.
            }
        }

        return labels.Count == 0
            ? DatasetStatistics.ForImages(3, side, DataConfig.ImageNetMean, DataConfig.ImageNetStd)
            : DatasetStatistics.Measure(InMemoryImageDataset.FromBytes([.. pixels], [.. labels], 3, side, side, classes));
    }

    private static TrainingTransform Transform(ImageFolderTrainingOptions folder, DataConfig data)
    {
        Interpolation? interpolation = folder.TrainInterpolation switch
        {
            "bilinear" => Interpolation.Bilinear,
            "bicubic" => Interpolation.Bicubic,
            "nearest" => Interpolation.Nearest,
            _ => null,
        };
        var crop = new RandomResizedCrop(data.InputSize, (folder.ScaleMin, folder.ScaleMax), (folder.RatioMin, folder.RatioMax), interpolation);
        // timm fills RandAugment's geometric operations with the mean colour.
        var mean = data.Mean.Count == 3 ? data.Mean : [data.Mean[0], data.Mean[0], data.Mean[0]];
        (byte, byte, byte) fill = ((byte)Math.Min(255, Math.Round(255 * mean[0])), (byte)Math.Min(255, Math.Round(255 * mean[1])), (byte)Math.Min(255, Math.Round(255 * mean[2])));
        var randAugment = folder.AutoAugment is { } aa ? RandAugment.Parse(aa, fill, interpolation) : null;
        var jitter = randAugment is null && folder.ColorJitter > 0 ? new ColorJitter(folder.ColorJitter, folder.ColorJitter, folder.ColorJitter) : null;
        return new TrainingTransform(data, crop, folder.HorizontalFlip, randAugment, jitter);
    }
}
