using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class TrainerTests
{
    private static readonly TrainerOptions Quick = new()
    {
        Epochs = 4,
        BatchSize = 16,
        LearningRate = 0.05,
        WeightDecay = 0.01,
        LabelSmoothing = 0.1,
        GradientClipNorm = 1.0,
        Augmentation = new Augmentation(CropPadding: 1),
        Data = DatasetStatistics.ForImages(1, 8, [0.4f], [0.3f]),
        Seed = 11,
    };

    [Fact]
    public void A_tiny_model_learns_the_synthetic_set_and_reports_progress()
    {
        var train = SyntheticImages.Create(256, seed: 1);
        var validation = SyntheticImages.Create(64, seed: 2);
        using var model = SyntheticImages.TinyModel(seed: 3);
        using var trainer = new Trainer(model, Quick);
        var reports = new List<TrainingProgress>();

        var result = trainer.Fit(train, validation, new InlineProgress<TrainingProgress>(reports.Add));

        result.History.Should().HaveCount(4);
        result.FinalEvaluation!.Accuracy.Should().BeGreaterThan(0.9);
        result.History[^1].TrainLoss.Should().BeLessThan(result.History[0].TrainLoss);
        trainer.GlobalStep.Should().Be(4 * 16);
        var steps = reports.Where(r => r.Phase == TrainingPhase.Training).ToList();
        steps.Should().HaveCount(4 * 16);
        steps[0].LearningRate.Should().BeApproximately(new OneCycleSchedule(0.05, 64).LearningRateAt(0), 1e-12);
        steps.Should().OnlyContain(r => r.ImagesPerSecond > 0 && r.Steps == 16);
        steps[^1].Eta.Should().Be(TimeSpan.Zero);
        reports.Where(r => r.Phase == TrainingPhase.EpochCompleted).Select(r => r.CompletedEpoch!.Epoch).Should().Equal(1, 2, 3, 4);
        reports.Should().Contain(r => r.Phase == TrainingPhase.Evaluating);
    }

    [Fact]
    public void Gradient_accumulation_takes_one_optimizer_step_per_group_of_batches()
    {
        var train = SyntheticImages.Create(80, seed: 1); // 5 batches of 16: steps after batches 2, 4 and 5
        using var model = SyntheticImages.TinyModel(seed: 3);
        using var trainer = new Trainer(model, Quick with { Epochs = 2, AccumulationSteps = 2, LabelSmoothing = 0 });

        trainer.Fit(train);

        trainer.GlobalStep.Should().Be(2 * 3);
    }

    [Fact]
    public void Many_steps_leave_no_live_tensors_behind()
    {
        var train = SyntheticImages.Create(64, seed: 1);
        using var model = SyntheticImages.TinyModel(seed: 3);
        using var trainer = new Trainer(model, Quick with { Epochs = 12, BatchSize = 4 });
        var afterFirstEpoch = -1L;
        var afterLastEpoch = -1L;
        var progress = new InlineProgress<TrainingProgress>(p =>
        {
            if (p.Phase == TrainingPhase.EpochCompleted && p.Epoch == 2)
            {
                afterFirstEpoch = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }
            else if (p.Phase == TrainingPhase.EpochCompleted && p.Epoch == 12)
            {
                afterLastEpoch = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }
        });

        trainer.Fit(train, progress: progress);

        // 10 epochs of 16 steps in between: weights, gradients and AdamW moments exist from the first step on.
        afterFirstEpoch.Should().BePositive();
        afterLastEpoch.Should().Be(afterFirstEpoch);
    }

    [Fact]
    public void Cancellation_stops_between_steps_and_keeps_the_last_checkpoint()
    {
        using var dir = new TemporaryDirectory();
        var train = SyntheticImages.Create(64, seed: 1);
        using var model = SyntheticImages.TinyModel(seed: 3);
        using var trainer = new Trainer(model, Quick with { Epochs = 3, OutputDirectory = dir.Path });
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress<TrainingProgress>(p =>
        {
            if (p.Phase == TrainingPhase.Training && p.Epoch == 2 && p.Step == 2)
            {
                cancel.Cancel();
            }
        });

        FluentActions.Invoking(() => trainer.Fit(train, progress: progress, cancellationToken: cancel.Token))
            .Should().Throw<OperationCanceledException>();

        trainer.CompletedEpochs.Should().Be(1);
        TrainingCheckpoint.ReadState(trainer.CheckpointPath!).CompletedEpochs.Should().Be(1);
        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Should().BeEquivalentTo(
            TrainingCheckpoint.FileName, MetricsCsv.FileName, ModelFolder.ConfigFileName, ModelFolder.SafetensorsFileName);
    }

    [Fact]
    public void Freezing_the_body_trains_only_the_new_head_for_the_first_epochs()
    {
        var train = SyntheticImages.Create(64, seed: 1);
        using var model = SyntheticImages.TinyModel(seed: 3);
        model.ResetClassifier(SyntheticImages.Classes.Length);
        var bodyBefore = model.PatchEmbedding.weight!.detach().clone();
        var headBefore = ((TorchSharp.Modules.Linear)model.Head).weight!.detach().clone();
        using (var trainer = new Trainer(model, Quick with { Epochs = 1, FreezeBodyEpochs = 1, WeightDecay = 0 }))
        {
            trainer.Fit(train);
        }

        model.PatchEmbedding.weight!.allclose(bodyBefore, rtol: 0, atol: 0).Should().BeTrue("the body was frozen");
        ((TorchSharp.Modules.Linear)model.Head).weight!.allclose(headBefore, rtol: 0, atol: 0).Should().BeFalse("the head trained");
        model.parameters().Should().OnlyContain(p => p.requires_grad, "the body is unfrozen after the run");
    }

    [Fact]
    public void Bad_options_and_mismatched_data_are_rejected_with_names()
    {
        using var model = SyntheticImages.TinyModel(seed: 3);
        FluentActions.Invoking(() => new Trainer(model, Quick with { LabelSmoothing = 1.5 }))
            .Should().Throw<ArgumentException>().WithMessage("*LabelSmoothing*1.5*");
        using var trainer = new Trainer(model, Quick);
        var wrongClasses = InMemoryImageDataset.FromBytes(new byte[64], [0], 1, 8, 8, ["a", "b"]);
        FluentActions.Invoking(() => trainer.Fit(wrongClasses))
            .Should().Throw<ArgumentException>().WithMessage("*2 classes*4 outputs*ResetClassifier(2)*");
    }
}
