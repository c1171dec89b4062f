using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Training.Tests;

/// <summary>The trainer's weight EMA (timm's <c>--model-ema</c>): updated per step, saved and evaluated as its own model folder, resumed exactly.</summary>
public class EmaTrainingTests
{
    private static readonly TrainerOptions Options = new()
    {
        Epochs = 2,
        BatchSize = 16,
        LearningRate = 0.02,
        Seed = 5,
        ModelEmaDecay = 0.9,
        ModelEmaWarmup = true,
    };

    [Fact]
    public void The_ema_folder_holds_timms_average_of_the_weights_with_its_validation_result()
    {
        var train = SyntheticImages.Create(64, seed: 1);
        var validation = SyntheticImages.Create(32, seed: 2);
        using var dir = new TemporaryDirectory();

        // Decay 0: the average is the last weights; the EMA's BatchNorm counters are copied, not averaged.
        using (var model = SyntheticImages.TinyModel(seed: 3))
        {
            using (var trainer = new Trainer(model, Options with { ModelEmaDecay = 0.0, ModelEmaWarmup = false, OutputDirectory = Path.Combine(dir.Path, "zero") }))
            {
                trainer.Fit(train, validation);
            }

            using var saved = ConvMixer.FromCheckpoint(Path.Combine(dir.Path, "zero", "ema"));
            var expected = model.state_dict();
            foreach (var (name, value) in saved.state_dict())
            {
                value.allclose(expected[name], rtol: 0, atol: 0).Should().BeTrue($"{name}: with decay 0 the EMA is the model");
            }
        }

        using (var model = SyntheticImages.TinyModel(seed: 3))
        {
            var run = Path.Combine(dir.Path, "ema");
            using (var trainer = new Trainer(model, Options with { OutputDirectory = run }))
            {
                trainer.Fit(train, validation);
            }

            using var saved = ConvMixer.FromCheckpoint(Path.Combine(run, "ema"));
            saved.state_dict()["stem.0.weight"].allclose(model.state_dict()["stem.0.weight"], rtol: 0, atol: 0).Should().BeFalse("decay 0.9 keeps part of the earlier weights");
            saved.Pretrained!.Metrics!["epoch"].Should().Be(2);
            var result = Evaluator.Evaluate(saved, validation, saved.Pretrained.Data!, 16);
            saved.Pretrained.Metrics["val_accuracy"].Should().Be(result.Accuracy, "the recorded result is the EMA's own");
            saved.Pretrained.Metrics["val_loss"].Should().BeApproximately(result.Loss, 1e-6);
            saved.Pretrained.Training!["model_ema_decay"].Should().Be("0.9");
        }
    }

    [Fact]
    public void A_resumed_run_continues_the_same_average()
    {
        var train = SyntheticImages.Create(96, seed: 1);
        using var dir = new TemporaryDirectory();
        using var straight = SyntheticImages.TinyModel(seed: 3);
        var initial = straight.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        using (var trainer = new Trainer(straight, Options with { OutputDirectory = Path.Combine(dir.Path, "straight") }))
        {
            trainer.Fit(train);
        }

        var interrupted = Path.Combine(dir.Path, "interrupted");
        using (var first = SyntheticImages.TinyModel(seed: 3))
        {
            first.load_state_dict(initial);
            using var trainer = new Trainer(first, Options with { OutputDirectory = interrupted });
            using var cancel = new CancellationTokenSource();
            var stopAfterEpochOne = new InlineProgress<TrainingProgress>(p =>
            {
                if (p.Phase == TrainingPhase.EpochCompleted)
                {
                    cancel.Cancel();
                }
            });
            FluentActions.Invoking(() => trainer.Fit(train, progress: stopAfterEpochOne, cancellationToken: cancel.Token)).Should().Throw<OperationCanceledException>();
        }

        using var resumed = SyntheticImages.TinyModel(seed: 9);
        using (var trainer = new Trainer(resumed, Options with { OutputDirectory = interrupted }))
        {
            trainer.Resume(Path.Combine(interrupted, TrainingCheckpoint.FileName));
            trainer.Fit(train);
        }

        using var expected = ConvMixer.FromCheckpoint(Path.Combine(dir.Path, "straight", "ema"));
        using var actual = ConvMixer.FromCheckpoint(Path.Combine(interrupted, "ema"));
        var want = expected.state_dict();
        foreach (var (name, value) in actual.state_dict())
        {
            value.allclose(want[name], rtol: 1e-5, atol: 1e-6).Should().BeTrue($"EMA {name} should match after resume");
        }
    }
}
