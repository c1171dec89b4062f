using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class AtomicFileTests
{
    [Fact]
    public void A_failing_write_leaves_the_previous_file_intact_and_no_temporary_file()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("checkpoint.ckpt");
        AtomicFile.WriteAllText(path, "epoch 1");

        FluentActions.Invoking(() => AtomicFile.Write(path, stream =>
            {
                stream.Write("epoch 2, half written"u8);
                throw new IOException("disk full");
            }))
            .Should().Throw<IOException>().WithMessage("disk full");

        File.ReadAllText(path).Should().Be("epoch 1");
        Directory.GetFiles(dir.Path).Should().ContainSingle();
    }

    [Fact]
    public void A_truncated_or_foreign_checkpoint_gets_a_clear_error()
    {
        using var dir = new TemporaryDirectory();
        var train = SyntheticImages.Create(32, seed: 1);
        using var model = SyntheticImages.TinyModel(seed: 3);
        using (var trainer = new Trainer(model, new TrainerOptions { Epochs = 1, BatchSize = 16, OutputDirectory = dir.Path }))
        {
            trainer.Fit(train);
        }

        // The weights are the run folder's model.safetensors: cut inside them, nothing can load the model.
        var weights = Path.Combine(dir.Path, ModelFolder.SafetensorsFileName);
        var weightBytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, weightBytes[..^10]);
        var path = Path.Combine(dir.Path, TrainingCheckpoint.FileName);
        FluentActions.Invoking(() => ConvMixer.FromCheckpoint(path))
            .Should().Throw<InvalidCheckpointException>().WithMessage($"*{ModelFolder.SafetensorsFileName}*truncated*");
        File.WriteAllBytes(weights, weightBytes);
        var bytes = File.ReadAllBytes(path);

        // Cut inside the optimizer state: the weights still load, resuming is refused with the reason.
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);
        using (var weightsOnly = ConvMixer.FromCheckpoint(path))
        {
            weightsOnly.Config.Should().Be(model.Config);
        }

        using (var fresh = SyntheticImages.TinyModel(seed: 4))
        using (var trainer = new Trainer(fresh, new TrainerOptions { Epochs = 1, BatchSize = 16 }))
        {
            FluentActions.Invoking(() => trainer.Resume(path))
                .Should().Throw<InvalidCheckpointException>().WithMessage($"*{TrainingCheckpoint.FileName}*damaged*");
        }

        File.WriteAllText(path, "not a checkpoint at all");
        FluentActions.Invoking(() => TrainingCheckpoint.ReadState(path))
            .Should().Throw<InvalidCheckpointException>().WithMessage("*not a ConvMixer training checkpoint*");
    }
}
