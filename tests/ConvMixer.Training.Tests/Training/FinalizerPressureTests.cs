using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Training.Tests;

/// <summary>
/// Training while another thread collects garbage and runs finalizers non-stop. A native object (a TorchSharp
/// <c>Scalar</c> or tensor) whose managed wrapper is unreachable while native code still uses it is then freed
/// mid-call, which libtorch reports as "Unknown scalar type" or a failed check in <c>c10::Scalar::toFloat</c>. A busy
/// machine moves the collector into that window by chance; these tests put it there on purpose, step after step.
/// </summary>
public class FinalizerPressureTests
{
    [Fact]
    public void AdamW_steps_survive_collections_and_finalizers_running_all_the_time()
    {
        using var model = SyntheticImages.TinyModel(seed: 3);
        using var optimizer = new AdamW(model.parameters(), learningRate: 1e-3, weightDecay: 0.01);
        foreach (var parameter in model.parameters())
        {
            parameter.grad = ones_like(parameter);
        }

        using var pressure = FinalizerPressure.Start();
        for (var step = 0; step < 3000; step++)
        {
            optimizer.step();
        }

        pressure.Collections.Should().BeGreaterThan(100, "the collector must have run all through the steps");
    }

    [Fact]
    public void Forward_and_backward_in_training_mode_survive_collections_and_finalizers_running_all_the_time()
    {
        // BatchNorm counts batches in training mode and the layers add their residual: both hand Scalars to native code.
        using var model = SyntheticImages.TinyModel(seed: 3);
        model.train();
        using var images = randn(4, 1, 8, 8);
        using var pressure = FinalizerPressure.Start();
        for (var step = 0; step < 200; step++)
        {
            using var scope = NewDisposeScope();
            model.forward(images).sum().backward();
        }

        model.state_dict()["stem.2.num_batches_tracked"].item<long>().Should().Be(200);
        pressure.Collections.Should().BeGreaterThan(100, "the collector must have run all through the steps");
    }

    [Fact]
    public void Trainer_fit_survives_collections_and_finalizers_running_all_the_time()
    {
        var train = SyntheticImages.Create(128, seed: 1);
        using var model = SyntheticImages.TinyModel(seed: 3);
        var options = new TrainerOptions
        {
            Epochs = 3,
            BatchSize = 4,
            LearningRate = 0.01,
            WeightDecay = 0.01,
            LabelSmoothing = 0.1,
            GradientClipNorm = 1.0,
            AccumulationSteps = 2, // the loss is divided by the group's size: another Scalar
            Augmentation = new Augmentation(CropPadding: 1, HorizontalFlip: true),
            Data = DatasetStatistics.ForImages(1, 8, [0.4f], [0.3f]),
            Seed = 5,
        };
        using var trainer = new Trainer(model, options);

        using (var pressure = FinalizerPressure.Start())
        {
            trainer.Fit(train, validation: SyntheticImages.Create(32, seed: 2)).History.Should().HaveCount(3);
            pressure.Collections.Should().BeGreaterThan(100, "the collector must have run all through the training");
        }

        trainer.GlobalStep.Should().Be(3 * 16);
    }
}
