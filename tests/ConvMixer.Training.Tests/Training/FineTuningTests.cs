using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class FineTuningTests
{
    [Fact]
    public void A_pretrained_checkpoint_gets_a_new_head_and_keeps_its_body()
    {
        using var dir = new TemporaryDirectory();
        var train = SyntheticImages.Create(32, seed: 1);
        using var pretrained = SyntheticImages.TinyModel(seed: 3);
        using (var trainer = new Trainer(pretrained, new TrainerOptions { Epochs = 1, BatchSize = 16, OutputDirectory = dir.Path }))
        {
            trainer.Fit(train);
        }

        foreach (var path in new[] { Path.Combine(dir.Path, TrainingCheckpoint.FileName), dir.File("weights.safetensors") })
        {
            if (!File.Exists(path))
            {
                pretrained.SaveCheckpoint(path);
            }

            using var model = FineTuning.LoadPretrained(path, numClasses: 2);

            model.NumClasses.Should().Be(2);
            model.training.Should().BeTrue();
            model.PatchEmbedding.weight!.allclose(pretrained.PatchEmbedding.weight!, rtol: 0, atol: 0).Should().BeTrue($"the body comes from {Path.GetFileName(path)}");
        }
    }
}
