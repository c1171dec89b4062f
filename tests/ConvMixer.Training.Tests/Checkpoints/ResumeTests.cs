using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class ResumeTests
{
    private static readonly TrainerOptions Options = new()
    {
        Epochs = 2,
        BatchSize = 16,
        LearningRate = 0.02,
        LabelSmoothing = 0.1,
        GradientClipNorm = 1.0,
        Augmentation = new Augmentation(CropPadding: 1, HorizontalFlip: true),
        Seed = 5,
    };

    [Fact]
    public void Two_epochs_in_one_go_equal_one_epoch_resume_and_one_more()
    {
        var train = SyntheticImages.Create(96, seed: 1);
        var validation = SyntheticImages.Create(32, seed: 2);
        using var dir = new TemporaryDirectory();

        // Dropout makes the run depend on torch's RNG too, so the resume must restore it.
        using var straight = new ConvMixer(new ConvMixerConfig(8, 1, 3, 2, 4, 1), dropRate: 0.2);
        var straightState = Snapshot(straight);
        using (var trainer = new Trainer(straight, Options with { OutputDirectory = Path.Combine(dir.Path, "straight") }))
        {
            trainer.Fit(train, validation);
        }

        using var firstHalf = FromSnapshot(straightState);
        var interrupted = Path.Combine(dir.Path, "interrupted");
        using (var trainer = new Trainer(firstHalf, Options with { Epochs = 2, OutputDirectory = interrupted }))
        {
            using var cancel = new CancellationTokenSource();
            var stopAfterEpochOne = new InlineProgress<TrainingProgress>(p =>
            {
                if (p.Phase == TrainingPhase.EpochCompleted)
                {
                    cancel.Cancel();
                }
            });
            FluentActions.Invoking(() => trainer.Fit(train, validation, stopAfterEpochOne, cancel.Token)).Should().Throw<OperationCanceledException>();
        }

        torch.random.manual_seed(999); // a fresh process would start from another RNG state
        using var resumed = new ConvMixer(new ConvMixerConfig(8, 1, 3, 2, 4, 1), dropRate: 0.2);
        using (var trainer = new Trainer(resumed, Options with { OutputDirectory = interrupted }))
        {
            trainer.Resume(Path.Combine(interrupted, TrainingCheckpoint.FileName)).CompletedEpochs.Should().Be(1);
            var result = trainer.Fit(train, validation);
            result.History.Should().HaveCount(2);
        }

        var expected = straight.state_dict();
        var actual = resumed.state_dict();
        actual.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (name, tensor) in expected)
        {
            actual[name].allclose(tensor, rtol: 1e-5, atol: 1e-6).Should().BeTrue($"{name} should match after resume");
        }

        var straightMetrics = MetricsCsv.Read(Path.Combine(dir.Path, "straight", MetricsCsv.FileName));
        var resumedMetrics = MetricsCsv.Read(Path.Combine(interrupted, MetricsCsv.FileName));
        resumedMetrics.Select(m => m.TrainLoss).Should().Equal(straightMetrics.Select(m => m.TrainLoss), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void A_checkpoint_rebuilds_the_model_for_evaluation()
    {
        var train = SyntheticImages.Create(64, seed: 1);
        using var dir = new TemporaryDirectory();
        using var model = SyntheticImages.TinyModel(seed: 3);
        using (var trainer = new Trainer(model, Options with { Epochs = 1, OutputDirectory = dir.Path }))
        {
            trainer.Fit(train);
        }

        using var loaded = ConvMixer.FromCheckpoint(Path.Combine(dir.Path, TrainingCheckpoint.FileName));
        model.eval();
        loaded.eval();
        using var input = torch.randn(3, 1, 8, 8);
        using var expected = model.forward(input);
        using var actual = loaded.forward(input);
        actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
        var state = TrainingCheckpoint.ReadState(Path.Combine(dir.Path, TrainingCheckpoint.FileName));
        state.ClassNames.Should().Equal(SyntheticImages.Classes);
        state.Options.Augmentation.Should().Be(Options.Augmentation);
    }

    [Fact]
    public void Resuming_with_another_batch_size_or_other_data_is_refused()
    {
        var train = SyntheticImages.Create(32, seed: 1);
        using var dir = new TemporaryDirectory();
        using var model = SyntheticImages.TinyModel(seed: 3);
        using (var trainer = new Trainer(model, Options with { Epochs = 1, OutputDirectory = dir.Path }))
        {
            trainer.Fit(train);
        }

        using var other = new Trainer(model, Options with { BatchSize = 8 });
        FluentActions.Invoking(() => other.Resume(Path.Combine(dir.Path, TrainingCheckpoint.FileName)))
            .Should().Throw<ArgumentException>().WithMessage("*batch size 16*8*");

        using var otherData = new Trainer(model, Options with { Epochs = 2 });
        otherData.Resume(Path.Combine(dir.Path, TrainingCheckpoint.FileName));
        FluentActions.Invoking(() => otherData.Fit(SyntheticImages.Create(48, seed: 1)))
            .Should().Throw<ArgumentException>().WithMessage("*32 training images*48*same data*");
    }

    private static Dictionary<string, torch.Tensor> Snapshot(ConvMixer model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    private static ConvMixer FromSnapshot(Dictionary<string, torch.Tensor> snapshot)
    {
        var model = new ConvMixer(new ConvMixerConfig(8, 1, 3, 2, 4, 1), dropRate: 0.2);
        model.load_state_dict(snapshot);
        return model;
    }
}
