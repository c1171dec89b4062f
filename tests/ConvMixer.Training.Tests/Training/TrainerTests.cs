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
        using var dir = new TemporaryDirectory();
        var train = SyntheticImages.Create(80, seed: 1); // 5 batches of 16: steps after batches 2, 4 and 5
        using var model = SyntheticImages.TinyModel(seed: 3);
        using var trainer = new Trainer(model, Quick with { Epochs = 2, AccumulationSteps = 2, LabelSmoothing = 0, OutputDirectory = dir.Path });

        trainer.Fit(train);

        trainer.GlobalStep.Should().Be(2 * 3);
        // AdamW's own count, from the optimizer state the trainer saved: every parameter was stepped 6 times.
        AdamWStates(trainer.CheckpointPath!).Select(s => s.Step).Should().OnlyContain(steps => steps == 2 * 3);
    }

    [Fact]
    public void An_accumulated_step_applies_the_mean_of_the_groups_batch_gradients()
    {
        using var dir = new TemporaryDirectory();
        var train = SyntheticImages.Create(32, seed: 1); // 2 batches of 16: one group, one optimizer step
        var options = Quick with { Epochs = 1, AccumulationSteps = 2, LabelSmoothing = 0, GradientClipNorm = null, Augmentation = Augmentation.None, OutputDirectory = dir.Path };
        using var model = SyntheticImages.TinyModel(seed: 3);
        using (var trainer = new Trainer(model, options))
        {
            trainer.Fit(train);
        }

        // Reference: the same initial weights and the same two batches, each batch's mean loss halved; autograd sums.
        using var reference = SyntheticImages.TinyModel(seed: 3);
        reference.ChannelsLast = options.ChannelsLast; // the trainer's layout, so the gradients agree to the last bits checked
        reference.train();
        var loader = new BatchLoader(train, options.BatchSize, options.Data!, Augmentation.None, options.Seed);
        var batches = 0;
        foreach (var batch in loader.Batches(loader.ShuffledOrder(0), epoch: 0))
        {
            using var scope = torch.NewDisposeScope();
            var (images, labels) = batch.ToTensors(torch.CPU);
            (torch.nn.functional.cross_entropy(reference.forward(images), labels) / 2).backward();
            batches++;
        }

        batches.Should().Be(2);
        var parameters = reference.parameters().ToList();
        var states = AdamWStates(Path.Combine(dir.Path, TrainingCheckpoint.FileName));
        states.Should().HaveCount(parameters.Count);
        for (var i = 0; i < parameters.Count; i++)
        {
            // After one step AdamW's first moment is (1 - beta1) * gradient and its second (1 - beta2) * gradient².
            using var gradient = parameters[i].grad!.detach().clone();
            states[i].Step.Should().Be(1, "the group of two batches is one optimizer step");
            using var firstMoment = gradient * 0.1;
            using var secondMoment = gradient.square() * 0.001;
            states[i].FirstMoment.allclose(firstMoment, rtol: 1e-5, atol: 1e-9).Should().BeTrue($"parameter {i}'s gradient is the mean of the two batches'");
            states[i].SecondMoment.allclose(secondMoment, rtol: 1e-4, atol: 1e-12).Should().BeTrue($"parameter {i}'s squared gradient is that mean's square");
        }

        // And the step itself: one AdamW step on the reference gradients lands on the trainer's weights.
        using var optimizer = torch.optim.AdamW(reference.parameters(), lr: options.CreateSchedule(1).LearningRateAt(0), weight_decay: options.WeightDecay);
        using (torch.NewDisposeScope())
        {
            optimizer.step();
        }

        var trained = model.parameters().ToList();
        for (var i = 0; i < parameters.Count; i++)
        {
            trained[i].allclose(parameters[i], rtol: 1e-5, atol: 1e-7).Should().BeTrue($"parameter {i} after the accumulated step");
        }

        foreach (var (_, first, second) in states)
        {
            first.Dispose();
            second.Dispose();
        }
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
    public void Freezing_the_body_trains_only_the_new_head_and_keeps_the_BatchNorm_statistics()
    {
        var train = SyntheticImages.Create(64, seed: 1);
        using var model = SyntheticImages.TinyModel(seed: 3);
        model.ResetClassifier(SyntheticImages.Classes.Length);
        using var body = new BodyState(model);
        var headBefore = ((TorchSharp.Modules.Linear)model.Head).weight!.detach().clone();
        using (var trainer = new Trainer(model, Quick with { Epochs = 1, FreezeBodyEpochs = 1 }))
        {
            trainer.Fit(train);
        }

        // Every body tensor, running_mean, running_var and num_batches_tracked included, as timm's freeze keeps them.
        body.ChangedIn(model).Should().BeEmpty("the body was frozen");
        ((TorchSharp.Modules.Linear)model.Head).weight!.allclose(headBefore, rtol: 0, atol: 0).Should().BeFalse("the head trained");
        model.parameters().Should().OnlyContain(p => p.requires_grad, "the body is unfrozen after the run");
        model.modules().OfType<TorchSharp.Modules.BatchNorm>().Should().OnlyContain(m => m.training, "the BatchNorm layers are back in the model's training mode");
    }

    [Fact]
    public void After_the_frozen_epochs_the_body_and_its_BatchNorm_statistics_train()
    {
        var train = SyntheticImages.Create(64, seed: 1);
        using var model = SyntheticImages.TinyModel(seed: 3);
        using var body = new BodyState(model);
        using (var trainer = new Trainer(model, Quick with { Epochs = 2, FreezeBodyEpochs = 1 }))
        {
            trainer.Fit(train);
        }

        body.ChangedIn(model).Should().BeEquivalentTo(body.Keys, "the second epoch trains every parameter and updates every BatchNorm statistic");
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

    // The AdamW state a training checkpoint holds, one entry per parameter in the model's order.
    private static List<(long Step, TorchSharp.torch.Tensor FirstMoment, TorchSharp.torch.Tensor SecondMoment)> AdamWStates(string checkpointPath)
    {
        using var model = SyntheticImages.TinyModel(seed: 0);
        using var optimizer = torch.optim.AdamW(model.parameters());
        TrainingCheckpoint.Restore(checkpointPath, model, optimizer);
        return optimizer.state_dict().State.Cast<TorchSharp.Modules.AdamW.State>()
            .Select(s => (s.step, s.exp_avg.detach().clone(), s.exp_avg_sq.detach().clone()))
            .ToList();
    }
}
