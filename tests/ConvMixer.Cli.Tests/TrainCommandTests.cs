using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

public class TrainCommandTests
{
    [Fact]
    public void Train_runs_an_epoch_on_tiny_idx_data_writes_its_outputs_resumes_and_evaluates()
    {
        using var dir = new TemporaryDirectory();
        var data = dir.File("digits");
        QuadrantImages.WriteIdxSplits(data);
        var output = dir.File("run");

        var train = ConvMixerTool.Run(
            "train", "--data", data, "--out", output, "--dim", "8", "--depth", "1", "--kernel", "3", "--patch", "2",
            "--epochs", "2", "--batch", "16", "--lr", "0.02", "--crop-padding", "1", "--threads", "1", "--limit", "64");
        train.ExitCode.Should().Be(0, train.ToString());
        train.Output.Should().Contain("Training summary").And.Contain("Confusion matrix").And.Contain("Validation accuracy");
        foreach (var file in new[] { "checkpoint.ckpt", "metrics.csv", "model.safetensors", "loss.png", "accuracy.png" })
        {
            File.Exists(Path.Combine(output, file)).Should().BeTrue($"{file} is written next to the checkpoint");
        }

        File.ReadAllBytes(Path.Combine(output, "loss.png"))[..4].Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
        MetricsCsv.Read(Path.Combine(output, "metrics.csv")).Should().HaveCount(2);

        var resumed = ConvMixerTool.Run("train", "--data", data, "--out", output, "--resume", "--threads", "1", "--limit", "64");
        resumed.ExitCode.Should().Be(0, resumed.ToString());
        resumed.Output.Should().Contain("Resuming after epoch 2 of 2");

        var eval = ConvMixerTool.Run("eval", "--weights", Path.Combine(output, "checkpoint.ckpt"), "--data", data, "--threads", "1");
        eval.ExitCode.Should().Be(0, eval.ToString());
        eval.Output.Should().Contain("Confusion matrix").And.MatchRegex(@"Accuracy \d+\.\d\d % \(\d+/32\)");
    }

    [Fact]
    public void Train_names_a_missing_checkpoint_for_resume_and_a_bad_data_path()
    {
        using var dir = new TemporaryDirectory();
        QuadrantImages.WriteIdxSplits(dir.File("digits"));

        var resume = ConvMixerTool.Run("train", "--data", dir.File("digits"), "--out", dir.File("empty"), "--resume");
        resume.ExitCode.Should().Be(2, resume.ToString());
        resume.Error.Should().Contain("no checkpoint.ckpt");

        var missing = ConvMixerTool.Run("train", "--data", dir.File("nowhere"), "--out", dir.File("run"));
        missing.ExitCode.Should().Be(1, missing.ToString());
        missing.Error.Should().Contain("nowhere");
    }

    [Fact]
    public void A_run_killed_mid_training_resumes_from_its_last_checkpoint()
    {
        using var dir = new TemporaryDirectory();
        var data = dir.File("digits");
        QuadrantImages.WriteIdxSplits(data);
        var output = dir.File("run");

        // The gate: with stderr redirected, the tool prints a line of at least 60 bytes there after every epoch. The
        // test shrinks that pipe to one page and leaves it unread, so the run blocks in that print well before its
        // last epoch, and is certainly still going when it is killed, however fast this machine trains.
        var epochs = (Environment.SystemPageSize / 60) + 10;
        string[] args = ["train", "--data", data, "--out", output, "--dim", "8", "--depth", "1", "--kernel", "3", "--patch", "2", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch", "16", "--threads", "1"];
        using (var process = System.Diagnostics.Process.Start(ConvMixerTool.StartInfo(args))!)
        {
            try
            {
                PipeCapacity.ShrinkToOnePage(process.StandardError.BaseStream);
                _ = process.StandardOutput.ReadToEndAsync();
                var checkpoint = Path.Combine(output, TrainingCheckpoint.FileName);
                var deadline = DateTime.UtcNow.AddMinutes(3);
                while (!process.HasExited && !(File.Exists(checkpoint) && TrainingCheckpoint.ReadState(checkpoint).CompletedEpochs >= 2) && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(20);
                }

                process.HasExited.Should().BeFalse($"the run must still be going after epoch 2 to be killed (it cannot finish while stderr is unread); exit {(process.HasExited ? process.ExitCode : 0)}");
                File.Exists(checkpoint).Should().BeTrue("the run checkpoints after every epoch");
            }
            finally
            {
                process.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
                process.WaitForExit();
            }
        }

        var survived = TrainingCheckpoint.ReadState(Path.Combine(output, TrainingCheckpoint.FileName));
        survived.CompletedEpochs.Should().BeInRange(2, epochs - 1);

        var resumed = ConvMixerTool.Run("train", "--data", data, "--out", output, "--resume", "--threads", "1");
        resumed.ExitCode.Should().Be(0, resumed.ToString());
        resumed.Output.Should().Contain($"Resuming after epoch {survived.CompletedEpochs} of {epochs}");
        MetricsCsv.Read(Path.Combine(output, "metrics.csv")).Select(m => m.Epoch).Should().Equal(Enumerable.Range(1, epochs));
    }
}
