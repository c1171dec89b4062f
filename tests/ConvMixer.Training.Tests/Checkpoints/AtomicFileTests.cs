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
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        FluentActions.Invoking(() => TrainingCheckpoint.LoadModel(path))
            .Should().Throw<InvalidDataException>().WithMessage($"*{TrainingCheckpoint.FileName}*damaged*");

        File.WriteAllText(path, "not a checkpoint at all");
        FluentActions.Invoking(() => TrainingCheckpoint.ReadState(path))
            .Should().Throw<InvalidDataException>().WithMessage("*not a ConvMixer training checkpoint*");
    }
}
