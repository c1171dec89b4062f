using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Training.Tests;

/// <summary>The trainer with timm's random erasing and mixup/CutMix: applied, recorded, and resumed exactly.</summary>
public class MixupTrainingTests
{
    private static readonly TrainerOptions Options = new()
    {
        Epochs = 2,
        BatchSize = 16,
        LearningRate = 0.02,
        LabelSmoothing = 0.1,
        Seed = 5,
        RandomErasing = new RandomErasing(Probability: 0.5),
        Mixup = new Mixup(MixupAlpha: 0.8, CutmixAlpha: 1.0),
    };

    [Fact]
    public void Soft_target_loss_of_unmixed_smoothed_targets_is_the_label_smoothing_cross_entropy()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(2);
        var logits = randn(6, 4);
        long[] labels = [0, 3, 1, 1, 2, 0];
        var targets = tensor(Mixup.Targets(labels, 4, lambda: 1.0, smoothing: 0.1), [6, 4]);
        var expected = TrainingLoss.Compute(logits, tensor(labels), 0.1).item<float>();
        SoftTargetLoss.Compute(logits, targets).item<float>().Should().BeApproximately(expected, 1e-6f);
    }

    [Fact]
    public void Erasing_and_mixing_change_training_and_off_settings_change_nothing()
    {
        var train = SyntheticImages.Create(64, seed: 1);
        float[] Train(TrainerOptions options)
        {
            using var model = SyntheticImages.TinyModel(seed: 3);
            using var trainer = new Trainer(model, options with { Epochs = 1 });
            trainer.Fit(train);
            return model.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();
        }

        var plain = Train(Options with { RandomErasing = null, Mixup = null });
        Train(Options with { RandomErasing = new RandomErasing(0.0), Mixup = new Mixup(0, 0) }).Should().Equal(plain, "switched-off steps are skipped");
        Train(Options with { Mixup = null }).Should().NotEqual(plain, "random erasing changes the images");
        Train(Options with { RandomErasing = null }).Should().NotEqual(plain, "mixing changes images and targets");
        Train(Options).Should().Equal(Train(Options), "the draws come from the seed");
    }

    [Fact]
    public void A_run_with_mixing_resumes_exactly_and_records_timms_names()
    {
        var train = SyntheticImages.Create(96, seed: 1);
        using var dir = new TemporaryDirectory();
        using var straight = SyntheticImages.TinyModel(seed: 3);
        var initial = straight.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        using (var trainer = new Trainer(straight, Options))
        {
            trainer.Fit(train);
        }

        var interrupted = Path.Combine(dir.Path, "run");
        using var resumed = SyntheticImages.TinyModel(seed: 3);
        resumed.load_state_dict(initial);
        using (var trainer = new Trainer(resumed, Options with { OutputDirectory = interrupted }))
        {
            // Stopped after the first epoch; the schedule is that of the two-epoch run.
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

        using (var trainer = new Trainer(resumed, Options with { OutputDirectory = interrupted }))
        {
            var state = trainer.Resume(Path.Combine(interrupted, TrainingCheckpoint.FileName));
            state.Options.Mixup.Should().Be(Options.Mixup);
            state.Options.RandomErasing.Should().Be(Options.RandomErasing);
            trainer.Fit(train);
        }

        var expected = straight.state_dict();
        foreach (var (name, value) in resumed.state_dict())
        {
            value.allclose(expected[name], rtol: 1e-5, atol: 1e-6).Should().BeTrue($"{name} should match after resume");
        }

        var recorded = Options.Hyperparameters();
        recorded["reprob"].Should().Be("0.5");
        recorded["remode"].Should().Be("pixel");
        recorded["mixup"].Should().Be("0.8");
        recorded["cutmix"].Should().Be("1");
        recorded["mixup_switch_prob"].Should().Be("0.5");
    }

    [Fact]
    public void Invalid_mixing_settings_are_named()
    {
        using var model = SyntheticImages.TinyModel(seed: 3);
        var create = () => new Trainer(model, Options with { RandomErasing = new RandomErasing(1.5) });
        create.Should().Throw<ArgumentException>().WithMessage("TrainerOptions.RandomErasing*reprob*");
        create = () => new Trainer(model, Options with { Mixup = new Mixup(-1, 0) });
        create.Should().Throw<ArgumentException>().WithMessage("TrainerOptions.Mixup*alphas*");
    }
}
