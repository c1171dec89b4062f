namespace ConvMixerNet.Vision;

/// <summary>
/// timm's <c>transforms_imagenet_train</c> on a decoded image: <see cref="RandomResizedCrop"/>, a horizontal flip with
/// probability <see cref="HorizontalFlip"/>, then <see cref="RandAugment"/> or else <see cref="ColorJitter"/> (timm turns
/// colour jitter off when RandAugment is set), then <c>ToTensor</c> and <c>Normalize</c> with the data configuration's
/// mean and standard deviation. One-channel models see the image in grey (Pillow's <c>convert('L')</c>) first.
/// </summary>
/// <param name="Data">Input size, channels, mean and standard deviation.</param>
/// <param name="Crop">The random resized crop to <see cref="DataConfig.InputSize"/>.</param>
/// <param name="HorizontalFlip">Probability of mirroring (timm's <c>--hflip</c>, 0.5).</param>
/// <param name="RandAugment">timm's <c>--aa rand-…</c>, or null.</param>
/// <param name="ColorJitter">timm's <c>--color-jitter</c> (used only without RandAugment), or null.</param>
public sealed record TrainingTransform(DataConfig Data, RandomResizedCrop Crop, double HorizontalFlip = 0.5, RandAugment? RandAugment = null, ColorJitter? ColorJitter = null)
{
    /// <summary>timm's parameters by name, as a run's configuration records them.</summary>
    public IReadOnlyList<(string Name, string Parameters)> Describe()
    {
        static string N(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var steps = new List<(string, string)>
        {
            ("random_resized_crop", $"size={Crop.Size} scale=({N(Crop.Scale.Min)}, {N(Crop.Scale.Max)}) ratio=({N(Crop.Ratio.Min)}, {N(Crop.Ratio.Max)}) interpolation={Crop.Interpolation?.ToString().ToLowerInvariant() ?? "random"}"),
            ("random_horizontal_flip", $"p={N(HorizontalFlip)}"),
        };
        if (RandAugment is not null)
        {
            steps.Add(("rand_augment", RandAugment.Config));
        }
        else if (ColorJitter is { } j)
        {
            steps.Add(("color_jitter", $"brightness={N(j.Brightness)} contrast={N(j.Contrast)} saturation={N(j.Saturation)} hue={N(j.Hue)}"));
        }

        steps.Add(("normalize", $"mean=({string.Join(", ", Data.Mean.Select(m => N(m)))}) std=({string.Join(", ", Data.Std.Select(s => N(s)))})"));
        return steps;
    }

    /// <summary>Transforms <paramref name="image"/> and writes the normalised <c>[C, S, S]</c> floats to <paramref name="destination"/>.</summary>
    public void Apply(RgbImage image, Random random, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        if (Data.InChannels == 1)
        {
            image = image.ToGrey();
        }

        image = Crop.Apply(image, random);
        if (HorizontalFlip > 0 && random.NextDouble() < HorizontalFlip)
        {
            image = ImageOps.FlipLeftRight(image);
        }

        if (RandAugment is not null)
        {
            image = RandAugment.Apply(image, random);
        }
        else if (ColorJitter is not null)
        {
            image = ColorJitter.Apply(image, random);
        }

        new ImagePreprocessor(Data with { InputSize = Crop.Size, CropFraction = 1.0 }).Normalize(image, destination);
    }
}
