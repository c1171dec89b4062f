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

        using var body = new BodyState(pretrained);

        foreach (var path in new[] { Path.Combine(dir.Path, TrainingCheckpoint.FileName), dir.File("weights.safetensors") })
        {
            if (!File.Exists(path))
            {
                pretrained.SaveCheckpoint(path);
            }

            using var model = FineTuning.LoadPretrained(path, numClasses: 2);

            model.NumClasses.Should().Be(2);
            model.training.Should().BeTrue();
            // Every tensor but the classifier: weights, biases and the BatchNorm statistics.
            body.ChangedIn(model).Should().BeEmpty($"the body comes from {Path.GetFileName(path)}");
            ((TorchSharp.Modules.Linear)model.Head).weight!.shape.Should().Equal([2, 8], "the head is new, for 2 classes");
        }
    }
}
