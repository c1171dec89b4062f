using System.CommandLine;
using System.Globalization;

namespace ConvMixerNet.Cli;

/// <summary>
/// <c>train</c>'s flags for image folders of photos, with timm's names and defaults (<c>--aa</c>, <c>--scale</c>,
/// <c>--ratio</c>, <c>--hflip</c>, <c>--color-jitter</c>, <c>--train-interpolation</c>, <c>--workers</c>/<c>-j</c>) and
/// the choice of the streaming or in-memory path (<c>--streaming</c>, <c>--in-memory</c>, <c>--memory-budget</c>),
/// mapped to one <see cref="ImageFolderTrainingOptions"/>.
/// </summary>
internal sealed class ImageFolderFlags
{
    private readonly Option<string?> _aa = new("--aa") { Description = "timm's RandAugment for image folders, e.g. rand-m9-mstd0.5-inc1 (m magnitude, n operations, p probability, mstd magnitude noise, inc1 the increasing operations); replaces --color-jitter." };
    private readonly Option<double[]> _scale = new("--scale") { Description = "Random resized crop: range of the crop's area fraction (timm: 0.08 1.0).", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
    private readonly Option<double[]> _ratio = new("--ratio") { Description = "Random resized crop: range of the crop's aspect ratio (timm: 0.75 1.3333).", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
    private readonly Option<double> _hflip = new("--hflip") { Description = "Probability of a horizontal flip of a photo (timm: 0.5).", DefaultValueFactory = _ => 0.5 };
    private readonly Option<double> _colorJitter = new("--color-jitter") { Description = "Colour jitter of brightness, contrast and saturation, without --aa (timm: 0.4; 0 = off).", DefaultValueFactory = _ => 0.4 };
    private readonly Option<string> _interpolation = new("--train-interpolation") { Description = "Resize filter of the random resized crop: random (bilinear or bicubic per image, timm's default), bilinear, bicubic or nearest.", DefaultValueFactory = _ => "random" };
    private readonly Option<bool> _streaming = new("--streaming") { Description = "Decode the photos from disk for every sample (memory independent of the folder's size), whatever their size." };
    private readonly Option<bool> _inMemory = new("--in-memory") { Description = "Decode each photo once and keep it in memory (shorter side at the training size), whatever the budget." };
    private readonly Option<double> _budget = new("--memory-budget") { Description = "MiB the in-memory path may hold (3 x size² bytes per image); larger folders are streamed.", DefaultValueFactory = _ => StreamingImageFolder.DefaultMemoryBudget / (1024.0 * 1024.0) };
    private readonly Option<int> _workers = new("--workers", "-j") { Description = "Threads decoding and augmenting photos (default: the processor count); the batches do not depend on it.", DefaultValueFactory = _ => 0 };

    /// <summary>The flags' names, those that make a run read its image folder with timm's transforms.</summary>
    public IEnumerable<Option> All => [_aa, _scale, _ratio, _hflip, _colorJitter, _interpolation, _streaming, _inMemory, _budget, _workers];

    /// <summary>The options a run reads its image folder with, or null when neither a flag nor the recipe asks for them. Streaming stays undecided (null) unless forced.</summary>
    public ImageFolderTrainingOptions? Resolve(ParseResult parse, TrainingRecipe? recipe)
    {
        var typed = All.Any(parse.IsGiven);
        if (!typed && recipe?.Options.ImageFolder is null)
        {
            return null;
        }

        if (parse.GetValue(_streaming) && parse.GetValue(_inMemory))
        {
            throw new UsageException("--streaming and --in-memory choose opposite paths; pass one of them.");
        }

        var start = recipe?.Options.ImageFolder ?? new ImageFolderTrainingOptions();
        var budget = parse.GetValue(_budget);
        if (!(budget >= 0 && double.IsFinite(budget)))
        {
            throw new UsageException($"--memory-budget must be a non-negative number of MiB, but it is {budget.ToString(CultureInfo.InvariantCulture)}.");
        }

        var options = start with
        {
            AutoAugment = parse.IsGiven(_aa) ? parse.GetValue(_aa) : start.AutoAugment,
            ScaleMin = parse.IsGiven(_scale) ? Pair(parse, _scale).Min : start.ScaleMin,
            ScaleMax = parse.IsGiven(_scale) ? Pair(parse, _scale).Max : start.ScaleMax,
            RatioMin = parse.IsGiven(_ratio) ? Pair(parse, _ratio).Min : start.RatioMin,
            RatioMax = parse.IsGiven(_ratio) ? Pair(parse, _ratio).Max : start.RatioMax,
            HorizontalFlip = parse.IsGiven(_hflip) ? parse.GetValue(_hflip) : start.HorizontalFlip,
            ColorJitter = parse.IsGiven(_colorJitter) ? parse.GetValue(_colorJitter) : start.ColorJitter,
            TrainInterpolation = parse.IsGiven(_interpolation) ? parse.GetValue(_interpolation)! : start.TrainInterpolation,
            Streaming = parse.GetValue(_streaming) ? true : parse.GetValue(_inMemory) ? false : null,
            MemoryBudget = (long)(budget * 1024 * 1024),
            Workers = parse.GetValue(_workers),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        return options;
    }

    private static (double Min, double Max) Pair(ParseResult parse, Option<double[]> option)
    {
        var values = parse.GetValue(option) ?? [];
        return values.Length == 2
            ? (values[0], values[1])
            : throw new UsageException($"{option.Name} takes two numbers (a range: MIN MAX), but got {values.Length}.");
    }
}
