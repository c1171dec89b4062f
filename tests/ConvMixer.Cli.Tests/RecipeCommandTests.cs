using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary>
/// <c>train --recipe</c> takes a named recipe's values, lets typed options replace single ones, records the resolved
/// recipe in the checkpoint and the model folder's config.json, and a resume continues with it; <c>eval --tta</c>
/// averages each image with its mirror image.
/// </summary>
public sealed class RecipeCommandTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_recipe_run_takes_the_recipe_values_and_the_typed_overrides_and_resumes_with_them()
    {
        var data = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);
        var run = _dir.File("run");

        var train = ConvMixerTool.Run(
            "train", "--data", data, "--out", run, "--recipe", "fashion-mnist", "--dim", "8", "--depth", "1", "--epochs", "1", "--batch", "16",
            "--threads", "1", "--limit", "64");
        train.ExitCode.Should().Be(0, train.ToString());
        train.Output.Should().Contain("Recipe: fashion-mnist, with --batch, --depth, --dim, --epochs from the command line.");

        var state = TrainingCheckpoint.ReadState(Path.Combine(run, TrainingCheckpoint.FileName));
        var recipe = TrainingRecipes.FashionMnist;
        state.ModelConfig.Should().Be(recipe.ArchitectureFor(state.ModelConfig.NumClasses, channels: 1) with { Dim = 8, Depth = 1 });
        state.Options.Should().BeEquivalentTo(
            recipe.Options with { Epochs = 1, BatchSize = 16 },
            o => o.Excluding(x => x.Data).Excluding(x => x.OutputDirectory));

        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
        {
            var training = config.RootElement.GetProperty("training");
            training.GetProperty("recipe").GetString().Should().Be("fashion-mnist");
            training.GetProperty("epochs").GetString().Should().Be("1");
            training.GetProperty("batch_size").GetString().Should().Be("16");
            training.GetProperty("label_smoothing").GetString().Should().Be("0.1");
            training.GetProperty("eval_tta").GetString().Should().Be("HorizontalFlipAndShifts");
            config.RootElement.GetProperty("model_args").GetProperty("activation").GetString().Should().Be("relu");
        }

        var changed = ConvMixerTool.Run("train", "--data", data, "--out", run, "--resume", "--recipe", "cifar10", "--threads", "1", "--limit", "64");
        changed.ExitCode.Should().Be(2, changed.ToString());
        changed.Error.Should().Contain("--recipe cifar10 (the run has fashion-mnist)");

        var resumed = ConvMixerTool.Run("train", "--data", data, "--out", run, "--resume", "--recipe", "fashion-mnist", "--epochs", "2", "--threads", "1", "--limit", "64");
        resumed.ExitCode.Should().Be(0, resumed.ToString());
        var after = TrainingCheckpoint.ReadState(Path.Combine(run, TrainingCheckpoint.FileName));
        after.CompletedEpochs.Should().Be(2);
        after.Options.Should().BeEquivalentTo(state.Options with { Epochs = 2 }, o => o.Excluding(x => x.OutputDirectory));
    }

    [Fact]
    public void A_recipe_whose_photo_transforms_cannot_apply_to_IDX_data_says_so()
    {
        var data = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);

        var train = ConvMixerTool.Run(
            "train", "--data", data, "--out", _dir.File("run"), "--recipe", "cifar10", "--dim", "8", "--depth", "1", "--epochs", "1", "--batch", "16",
            "--threads", "1", "--limit", "32");

        train.ExitCode.Should().Be(0, train.ToString());
        train.Output.Should().Contain("note: the recipe's photo transforms (random resized crop, flips, RandAugment) apply to image folders");
    }

    [Fact]
    public void An_unknown_recipe_is_refused_with_the_known_names()
    {
        var data = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);

        var result = ConvMixerTool.Run("train", "--data", data, "--out", _dir.File("run"), "--recipe", "mnist-fast");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("--recipe: There is no training recipe 'mnist-fast'. Known: fashion-mnist, cifar10, finetune.");
        Directory.Exists(_dir.File("run")).Should().BeFalse("nothing is written for a refused command");
    }

    [Fact]
    public void Eval_with_tta_reports_it_and_differs_from_the_single_view_when_the_model_is_not_mirror_symmetric()
    {
        var data = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);
        var run = _dir.File("run");
        var train = ConvMixerTool.Run(
            "train", "--data", data, "--out", run, "--dim", "8", "--depth", "1", "--kernel", "3", "--patch", "2", "--epochs", "2", "--batch", "16", "--threads", "1");
        train.ExitCode.Should().Be(0, train.ToString());

        var single = ConvMixerTool.Run("eval", "--weights", run, "--data", data, "--threads", "1");
        var flipped = ConvMixerTool.Run("eval", "--weights", run, "--data", data, "--threads", "1", "--tta", "HorizontalFlip");

        single.ExitCode.Should().Be(0, single.ToString());
        flipped.ExitCode.Should().Be(0, flipped.ToString());
        flipped.Output.Should().MatchRegex(@"Accuracy \d+\.\d\d % \(\d+/32\), loss \d\.\d{4} \(test-time augmentation: HorizontalFlip\)");
        single.Output.Should().NotContain("test-time augmentation");
        Loss(flipped.Output).Should().NotBe(Loss(single.Output), "quadrant classes change under a mirror, so the averaged logits differ");

        var shifted = ConvMixerTool.Run("eval", "--weights", run, "--data", data, "--threads", "1", "--tta", "HorizontalFlipAndShifts");
        shifted.ExitCode.Should().Be(0, shifted.ToString());
        shifted.Output.Should().MatchRegex(@"Accuracy \d+\.\d\d % \(\d+/32\), loss \d\.\d{4} \(test-time augmentation: HorizontalFlipAndShifts\)");
        Loss(shifted.Output).Should().NotBe(Loss(flipped.Output), "the shifted views add their own logits");
    }

    private static string Loss(string output) => System.Text.RegularExpressions.Regex.Match(output, @"loss (\d\.\d{4})").Groups[1].Value;
}
