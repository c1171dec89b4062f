using System.Globalization;

namespace ConvMixerNet.Training;

/// <summary>
/// How a run reads an image folder of photos: timm's training transforms (<c>transforms_imagenet_train</c>) with
/// timm's flag names and defaults, applied per image on background workers, and whether the images are streamed from
/// disk or kept in memory. The transforms themselves live in ConvMixerNet.Vision (<c>TrainingTransform</c>); this
/// record holds their parameters so that a checkpoint can rebuild them and a resumed run continues exactly.
/// </summary>
public sealed record ImageFolderTrainingOptions
{
    /// <summary>timm's <c>--scale</c>: lower bound of the random resized crop's area fraction (timm: 0.08).</summary>
    public double ScaleMin { get; init; } = 0.08;

    /// <summary>timm's <c>--scale</c>: upper bound of the area fraction (timm: 1.0).</summary>
    public double ScaleMax { get; init; } = 1.0;

    /// <summary>timm's <c>--ratio</c>: lower bound of the crop's width / height (timm: 3/4).</summary>
    public double RatioMin { get; init; } = 3.0 / 4.0;

    /// <summary>timm's <c>--ratio</c>: upper bound of the crop's width / height (timm: 4/3).</summary>
    public double RatioMax { get; init; } = 4.0 / 3.0;

    /// <summary>timm's <c>--hflip</c>: probability of a horizontal flip (timm: 0.5).</summary>
    public double HorizontalFlip { get; init; } = 0.5;

    /// <summary>timm's <c>--aa</c>: a RandAugment string such as <c>rand-m9-mstd0.5-inc1</c>, or null (timm: none).</summary>
    public string? AutoAugment { get; init; }

    /// <summary>timm's <c>--color-jitter</c> (brightness, contrast and saturation; timm: 0.4). Used only without <see cref="AutoAugment"/>, as timm does; 0 turns it off.</summary>
    public double ColorJitter { get; init; } = 0.4;

    /// <summary>timm's <c>--train-interpolation</c>: <c>random</c> (bilinear or bicubic per image, timm's default), <c>bilinear</c>, <c>bicubic</c> or <c>nearest</c>.</summary>
    public string TrainInterpolation { get; init; } = "random";

    /// <summary>
    /// True: the images are decoded from disk for every sample (memory independent of the folder's size). False: each
    /// image is decoded once and kept in memory, scaled so its shorter side is the training size. Null: decided when the
    /// run starts by <see cref="MemoryBudget"/> (<see cref="StreamingImageFolder.ShouldStream"/>); the checkpoint keeps
    /// the decision, so a resumed run reads its images the same way.
    /// </summary>
    public bool? Streaming { get; init; }

    /// <summary>The memory budget of the in-memory path, in bytes (default 512 MiB).</summary>
    public long MemoryBudget { get; init; } = StreamingImageFolder.DefaultMemoryBudget;

    /// <summary>Decoding threads (timm's <c>--workers</c>); 0 takes the processor count. Batches do not depend on it.</summary>
    public int Workers { get; init; }

    /// <summary>The interpolation names <see cref="TrainInterpolation"/> accepts.</summary>
    public static IReadOnlyList<string> Interpolations { get; } = ["random", "bilinear", "bicubic", "nearest"];

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that makes no sense.</summary>
    public void Validate()
    {
        if (!(ScaleMin > 0 && ScaleMin <= ScaleMax && ScaleMax <= 1))
        {
            throw new ArgumentException($"--scale must satisfy 0 < min <= max <= 1, but it is {N(ScaleMin)} {N(ScaleMax)}.");
        }

        if (!(RatioMin > 0 && RatioMin <= RatioMax && double.IsFinite(RatioMax)))
        {
            throw new ArgumentException($"--ratio must satisfy 0 < min <= max, but it is {N(RatioMin)} {N(RatioMax)}.");
        }

        if (!(HorizontalFlip >= 0 && HorizontalFlip <= 1))
        {
            throw new ArgumentException($"--hflip must be a probability in [0, 1], but it is {N(HorizontalFlip)}.");
        }

        if (!(ColorJitter >= 0 && double.IsFinite(ColorJitter)))
        {
            throw new ArgumentException($"--color-jitter must be a non-negative number, but it is {N(ColorJitter)}.");
        }

        if (!Interpolations.Contains(TrainInterpolation, StringComparer.Ordinal))
        {
            throw new ArgumentException($"--train-interpolation must be one of {string.Join(", ", Interpolations)}, but it is '{TrainInterpolation}'.");
        }

        if (MemoryBudget < 0)
        {
            throw new ArgumentException($"The memory budget must not be negative, but it is {MemoryBudget} bytes.");
        }

        if (Workers < 0)
        {
            throw new ArgumentException($"--workers must not be negative, but it is {Workers}.");
        }
    }

    /// <summary>
    /// Adds the transforms, by timm's names and with their parameters, to a run's hyperparameters (the <c>training</c>
    /// record of <c>config.json</c>), in the order they are applied to images of side <paramref name="side"/>.
    /// </summary>
    public void Describe(IDictionary<string, string> values, int side)
    {
        ArgumentNullException.ThrowIfNull(values);
        values["random_resized_crop"] = $"size={side} scale=({N(ScaleMin)}, {N(ScaleMax)}) ratio=({N(RatioMin)}, {N(RatioMax)}) interpolation={TrainInterpolation}";
        values["random_horizontal_flip"] = $"p={N(HorizontalFlip)}";
        // timm's own argument name for the flip probability; the pixels path's crop padding does not apply to photos.
        values["hflip"] = N(HorizontalFlip);
        values.Remove("crop_padding");
        if (AutoAugment is { } aa)
        {
            values["rand_augment"] = aa;
        }
        else if (ColorJitter > 0)
        {
            values["color_jitter"] = $"brightness={N(ColorJitter)} contrast={N(ColorJitter)} saturation={N(ColorJitter)} hue=0";
        }

        if (Streaming is { } streaming)
        {
            values["data_loader"] = streaming ? "streaming" : "in_memory";
        }
    }

    private static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
