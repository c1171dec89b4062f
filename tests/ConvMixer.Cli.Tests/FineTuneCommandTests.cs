using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary>
/// <c>train --data PHOTOS --pretrained REF --recipe finetune</c>: fine-tunes at the pretrained model's input size with
/// timm's transforms, streams the photos when they exceed the memory budget and keeps them in memory otherwise.
/// </summary>
public sealed class FineTuneCommandTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Finetune_recipe_streams_over_the_budget_at_the_pretrained_input_size_and_records_its_transforms()
    {
        var photos = WritePhotos(_dir.File("photos"));
        // The pretrained model: 24x24 inputs, so the fine-tune must not take the default --image-size 32.
        var pretrained = _dir.File("pretrained");
        var first = ConvMixerTool.Run(
            "train", "--data", photos, "--out", pretrained, "--dim", "8", "--depth", "1", "--kernel", "3", "--patch", "4", "--image-size", "24",
            "--epochs", "1", "--batch", "8", "--threads", "1");
        first.ExitCode.Should().Be(0, first.ToString());

        var run = _dir.File("run");
        var tune = ConvMixerTool.Run(
            "train", "--data", photos, "--val", photos, "--pretrained", pretrained, "--recipe", "finetune", "--out", run,
            "--epochs", "1", "--batch", "4", "--memory-budget", "0.001", "--workers", "2", "--threads", "1");

        tune.ExitCode.Should().Be(0, tune.ToString());
        var words = string.Join(' ', tune.Output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)); // the terminal wraps lines
        words.Should().Contain("validation " + photos + " (read from disk at each evaluation: over the budget)").And.MatchRegex(@"Validation accuracy: \d+\.\d\d % \(\d+/12\)", "the 12 readable photos are evaluated");
        tune.Output.Should().Contain("streamed from disk").And.Contain("over the 0.001 MiB budget").And.Contain("Recipe: finetune").And.MatchRegex(@"Waited \d+\.\d s for decoded batches \(2 workers\)");
        tune.Error.Should().Contain("skipped").And.Contain("broken.png", "an unreadable photo is skipped and named");
        var options = TrainingCheckpoint.ReadState(Path.Combine(run, TrainingCheckpoint.FileName)).Options;
        options.ImageFolder!.Streaming.Should().BeTrue("the images exceed the tiny budget");
        options.Data!.InputSize.Should().Be(24, "fine-tuning trains at the pretrained model's input size");
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
        {
            var root = config.RootElement;
            root.GetProperty("pretrained_cfg").GetProperty("input_size").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(3, 24, 24);
            var training = root.GetProperty("training");
            training.GetProperty("recipe").GetString().Should().Be("finetune");
            training.GetProperty("random_resized_crop").GetString().Should().Be("size=24 scale=(0.08, 1) ratio=(0.75, 1.3333333333333333) interpolation=random");
            training.GetProperty("random_horizontal_flip").GetString().Should().Be("p=0.5");
            training.GetProperty("rand_augment").GetString().Should().Be("rand-m9-mstd0.5-inc1");
            training.GetProperty("random_erasing").GetString().Should().Be("p=0.25 mode=pixel count=1");
            training.GetProperty("model_ema").GetString().Should().Be("true");
            training.GetProperty("data_loader").GetString().Should().Be("streaming");
        }

        File.Exists(Path.Combine(run, "ema", "model.safetensors")).Should().BeTrue("the recipe keeps timm's weight EMA");
        using (var ema = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "ema", "config.json"))))
        {
            ema.RootElement.GetProperty("pretrained_cfg").GetProperty("input_size").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(3, 24, 24);
        }
    }

    [Fact]
    public void A_small_photo_folder_is_kept_in_memory_and_finetune_needs_pretrained_weights()
    {
        var photos = WritePhotos(_dir.File("photos"));
        var run = _dir.File("run");
        var train = ConvMixerTool.Run(
            "train", "--data", photos, "--out", run, "--dim", "8", "--depth", "1", "--kernel", "3", "--patch", "4", "--image-size", "16",
            "--epochs", "1", "--batch", "8", "--threads", "1", "--aa", "rand-m4-n2", "--scale", "0.5", "1", "--workers", "1");

        train.ExitCode.Should().Be(0, train.ToString());
        train.Output.Should().Contain("kept in memory");
        var options = TrainingCheckpoint.ReadState(Path.Combine(run, TrainingCheckpoint.FileName)).Options;
        options.ImageFolder!.Streaming.Should().BeFalse("12 images of 16x16 fit the default 512 MiB");
        (options.ImageFolder.ScaleMin, options.ImageFolder.AutoAugment).Should().Be((0.5, "rand-m4-n2"));

        var changed = ConvMixerTool.Run("train", "--data", photos, "--out", run, "--resume", "--aa", "rand-m9", "--threads", "1");
        changed.ExitCode.Should().Be(2, changed.ToString());
        changed.Error.Should().Contain("--aa rand-m9 (the run has rand-m4-n2)");

        var scratch = ConvMixerTool.Run("train", "--data", photos, "--out", _dir.File("scratch"), "--recipe", "finetune", "--threads", "1");
        scratch.ExitCode.Should().Be(2, scratch.ToString());
        scratch.Error.Should().Contain("--recipe finetune fine-tunes pretrained weights: pass --pretrained");

        var idx = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(idx);
        var onIdx = ConvMixerTool.Run("train", "--data", idx, "--out", _dir.File("idx-run"), "--scale", "0.5", "1", "--hflip", "0.3", "--threads", "1");
        onIdx.ExitCode.Should().Be(2, onIdx.ToString());
        onIdx.Error.Should().Contain("--hflip, --scale: these transform photos of an image folder");

        var badAa = ConvMixerTool.Run("train", "--data", photos, "--out", _dir.File("bad"), "--aa", "auto-v0", "--threads", "1");
        badAa.ExitCode.Should().Be(2, badAa.ToString());
        badAa.Error.Should().Contain("--aa: RandAugment configuration 'auto-v0' must start with 'rand'");
    }

    // Two classes of noisy colour fields, photo-like sizes (not square), plus one file that is not an image.
    private static string WritePhotos(string root)
    {
        var random = new Random(7);
        foreach (var (name, colour) in new[] { ("blue", (R: 40, G: 60, B: 200)), ("red", (R: 210, G: 50, B: 40)) })
        {
            var folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            for (var i = 0; i < 6; i++)
            {
                var (width, height) = i % 2 == 0 ? (40, 30) : (28, 36);
                var pixels = new byte[width * height * 3];
                for (var p = 0; p < width * height; p++)
                {
                    pixels[3 * p] = (byte)Math.Clamp(colour.R + random.Next(-30, 30), 0, 255);
                    pixels[(3 * p) + 1] = (byte)Math.Clamp(colour.G + random.Next(-30, 30), 0, 255);
                    pixels[(3 * p) + 2] = (byte)Math.Clamp(colour.B + random.Next(-30, 30), 0, 255);
                }

                File.WriteAllBytes(Path.Combine(folder, $"{i}.png"), ImageEncoder.EncodePng(new RgbImage(width, height, pixels)));
            }
        }

        File.WriteAllText(Path.Combine(root, "red", "broken.png"), "not a png");
        return root;
    }
}
