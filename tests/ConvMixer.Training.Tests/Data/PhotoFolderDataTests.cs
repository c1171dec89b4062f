using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>The decisions <c>convmixer train</c> takes for photo folders, called as a library user would.</summary>
public class PhotoFolderDataTests
{
    private static TrainingRequest Request(string data, TrainerOptions options, params string[] given) => new()
    {
        Data = data,
        Output = data + "-run",
        ImageSize = 32,
        Options = options,
        Given = given.ToHashSet(StringComparer.Ordinal),
    };

    [Fact]
    public void Photo_transforms_on_idx_data_are_refused_when_typed_and_noted_when_a_recipe_brings_them()
    {
        using var dir = new TemporaryDirectory();
        var idx = dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(idx);
        var withTransforms = new TrainerOptions { ImageFolder = new ImageFolderTrainingOptions { AutoAugment = "rand-m9-mstd0.5-inc1" } };

        FluentActions.Invoking(() => PhotoFolderData.Choose(Request(idx, withTransforms, "--aa", "--epochs"), withTransforms))
            .Should().Throw<TrainingDataException>().WithMessage("--aa: these transform photos of an image folder; '*quadrants' holds IDX files.");

        var choice = PhotoFolderData.Choose(Request(idx, withTransforms, "--recipe"), withTransforms);
        choice.Options.Should().BeNull("IDX data is read as tensors");
        choice.Note.Should().Contain("RandAugment").And.Contain("holds IDX files");
        PhotoFolderData.Choose(Request(idx, new TrainerOptions()), new TrainerOptions()).Should().Be(new PhotoFolderChoice(null, null));
    }

    [Fact]
    public void Timms_transforms_and_the_pixel_paths_augmentation_do_not_mix()
    {
        using var dir = new TemporaryDirectory();
        var folder = dir.File("photos");
        Directory.CreateDirectory(Path.Combine(folder, "a"));
        var options = new TrainerOptions { ImageFolder = new ImageFolderTrainingOptions() };

        PhotoFolderData.Choose(Request(folder, options), options).Options.Should().Be(options.ImageFolder);
        FluentActions.Invoking(() => PhotoFolderData.Choose(Request(folder, options, "--flip"), options))
            .Should().Throw<TrainingDataException>().WithMessage("--crop-padding and --flip augment images held in memory as pixels*--hflip.");
    }

    [Fact]
    public void A_new_models_shape_comes_from_the_preset_or_the_request_and_must_fit_the_images()
    {
        var train = SyntheticImages.Create(8, seed: 1);
        var request = Request("data", new TrainerOptions()) with { Dim = 16, Depth = 2, Kernel = 3, Patch = 2 };

        TrainingModel.NewConfig(request, train).Should().Be(new ConvMixerConfig(16, 2, 3, 2, train.ClassCount, train.Channels));
        TrainingModel.NewConfig(request with { Preset = "convmixer_768_32" }, train)
            .Should().Be(ConvMixerPresets.ByName["convmixer_768_32"] with { NumClasses = train.ClassCount, InChannels = train.Channels });
        FluentActions.Invoking(() => TrainingModel.NewConfig(request with { Preset = "convmixer_1_1" }, train))
            .Should().Throw<TrainingDataException>().WithMessage("unknown preset 'convmixer_1_1'. Known presets: *");
        FluentActions.Invoking(() => TrainingModel.NewConfig(request with { Patch = 9 }, train))
            .Should().Throw<TrainingDataException>().WithMessage("--patch 9 is larger than the 8x8 images.");
    }
}
