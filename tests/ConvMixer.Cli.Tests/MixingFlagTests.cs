using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary><c>train --reprob --mixup --cutmix --model-ema</c>: timm's flags reach the trainer, are recorded by timm's names, and a resume keeps them.</summary>
public sealed class MixingFlagTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Timm_mixing_flags_are_trained_with_recorded_and_kept_on_resume()
    {
        var data = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);
        var run = _dir.File("run");

        var train = ConvMixerTool.Run(
            "train", "--data", data, "--out", run, "--dim", "8", "--depth", "1", "--epochs", "1", "--batch", "16", "--threads", "1", "--limit", "64",
            "--reprob", "0.25", "--mixup", "0.8", "--cutmix", "1", "--mixup-switch-prob", "0.3", "--model-ema", "--model-ema-decay", "0.99");
        train.ExitCode.Should().Be(0, train.ToString());

        var options = TrainingCheckpoint.ReadState(Path.Combine(run, TrainingCheckpoint.FileName)).Options;
        options.RandomErasing.Should().Be(new RandomErasing(0.25));
        options.ModelEmaDecay.Should().Be(0.99);
        File.Exists(Path.Combine(run, "ema", "model.safetensors")).Should().BeTrue("the EMA is saved as its own model folder");
        options.Mixup.Should().NotBeNull();
        (options.Mixup!.MixupAlpha, options.Mixup.CutmixAlpha, options.Mixup.Probability, options.Mixup.SwitchProbability).Should().Be((0.8, 1.0, 1.0, 0.3));
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
        {
            var training = config.RootElement.GetProperty("training");
            training.GetProperty("reprob").GetString().Should().Be("0.25");
            training.GetProperty("mixup").GetString().Should().Be("0.8");
            training.GetProperty("cutmix").GetString().Should().Be("1");
            training.GetProperty("mixup_switch_prob").GetString().Should().Be("0.3");
        }

        var changed = ConvMixerTool.Run("train", "--data", data, "--out", run, "--resume", "--mixup", "0.2", "--threads", "1", "--limit", "64");
        changed.ExitCode.Should().Be(2, changed.ToString());
        changed.Error.Should().Contain("--mixup 0.2 (the run has 0.8)");

        var plain = ConvMixerTool.Run(
            "train", "--data", data, "--out", _dir.File("plain"), "--dim", "8", "--depth", "1", "--epochs", "1", "--batch", "16", "--threads", "1", "--limit", "64");
        plain.ExitCode.Should().Be(0, plain.ToString());
        var plainOptions = TrainingCheckpoint.ReadState(Path.Combine(_dir.File("plain"), TrainingCheckpoint.FileName)).Options;
        plainOptions.RandomErasing.Should().BeNull("without the flags nothing is erased");
        plainOptions.Mixup.Should().BeNull("without the flags nothing is mixed");
        plainOptions.ModelEmaDecay.Should().BeNull();
        Directory.Exists(Path.Combine(_dir.File("plain"), "ema")).Should().BeFalse();
    }

    [Fact]
    public void A_forced_new_run_without_ema_removes_the_previous_runs_ema_folder()
    {
        var data = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);
        var run = _dir.File("run");
        string[] common = ["train", "--data", data, "--out", run, "--dim", "8", "--depth", "1", "--epochs", "1", "--batch", "16", "--threads", "1", "--limit", "64"];

        var first = ConvMixerTool.Run([.. common, "--model-ema"]);
        first.ExitCode.Should().Be(0, first.ToString());
        Directory.Exists(Path.Combine(run, ModelEma.RunFolderName)).Should().BeTrue();

        var forced = ConvMixerTool.Run([.. common, "--force"]);

        forced.ExitCode.Should().Be(0, forced.ToString());
        Directory.Exists(Path.Combine(run, ModelEma.RunFolderName)).Should().BeFalse("the new run has no EMA, so the old run's must not stay beside its weights");
    }
}
