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

        var path = Path.Combine(dir.Path, TrainingCheckpoint.FileName);
        var bytes = File.ReadAllBytes(path);

        // Cut inside the weights: nothing can load the model.
        var weightsEnd = WeightsEnd(path, model);
        File.WriteAllBytes(path, bytes[..(weightsEnd - 10)]);
        FluentActions.Invoking(() => ConvMixer.FromCheckpoint(path))
            .Should().Throw<InvalidCheckpointException>().WithMessage($"*{TrainingCheckpoint.FileName}*truncated*");

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

    // Where the weights end: after the magic, version and JSON header, then as many bytes as the model's state dict takes.
    private static int WeightsEnd(string path, ConvMixer model)
    {
        using var weights = new MemoryStream();
        using (var writer = new BinaryWriter(weights, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            model.save(writer);
        }

        using var reader = new BinaryReader(File.OpenRead(path), System.Text.Encoding.UTF8);
        reader.ReadString();
        reader.ReadInt32();
        reader.ReadString();
        return (int)(reader.BaseStream.Position + weights.Length);
    }
}
