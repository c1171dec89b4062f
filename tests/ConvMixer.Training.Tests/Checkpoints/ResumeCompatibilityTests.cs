using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>Every option has one role on resume, and the check returns the conflicts as data.</summary>
public class ResumeCompatibilityTests
{
    private static readonly ConvMixerConfig Architecture = new(8, 1, 3, 2, 4, 1);

    private static readonly CheckpointState Saved = new()
    {
        ModelConfig = Architecture,
        ClassNames = SyntheticImages.Classes,
        Options = new TrainerOptions { Epochs = 2, BatchSize = 16, LearningRate = 0.01, Seed = 5, ChannelsLast = true },
        CompletedEpochs = 1,
        GlobalStep = 6,
        History = [],
        NextEpochOrder = [],
        RandomState = [],
    };

    private static TrainingRequest Request(TrainerOptions options, params string[] given) => new()
    {
        Data = "data",
        Output = "run",
        Dim = Architecture.Dim,
        Depth = Architecture.Depth,
        Kernel = Architecture.KernelSize,
        Patch = Architecture.PatchSize,
        Options = options,
        Given = given.ToHashSet(StringComparer.Ordinal),
    };

    [Fact]
    public void An_option_that_must_match_is_a_conflict_when_given_with_another_value()
    {
        var conflicts = ResumeCompatibility.Conflicts(Request(Saved.Options with { LearningRate = 0.5, BatchSize = 8 }, "--lr", "--batch"), Saved);

        conflicts.Should().Equal(
            new ResumeConflict("--batch", "16", "8", "--batch 8 (the run has 16)"),
            new ResumeConflict("--lr", "0.01", "0.5", "--lr 0.5 (the run has 0.01)"));
        ResumeCompatibility.Conflicts(Request(Saved.Options with { LearningRate = 0.5 }), Saved).Should().BeEmpty("an option left out keeps the run's value");
        ResumeCompatibility.Conflicts(Request(Saved.Options, "--lr", "--batch"), Saved).Should().BeEmpty("the same value is no change");
        ResumeCompatibility.Rules.Single(r => r.Option == "--lr").Role.Should().Be(ResumeRole.MustMatch);
    }

    [Fact]
    public void An_option_that_may_change_is_taken_and_epochs_must_grow()
    {
        var plan = ResumeCompatibility.Plan(Request(Saved.Options with { Epochs = 5, ChannelsLast = false }, "--epochs", "--channels-last"), Saved);

        plan.Conflicts.Should().BeEmpty();
        plan.Problem.Should().BeNull();
        plan.Options.Should().Be(Saved.Options with { Epochs = 5, ChannelsLast = false });
        plan.Note.Should().Contain("--epochs 5").And.Contain("from step 6");

        var fewer = ResumeCompatibility.Plan(Request(Saved.Options with { Epochs = 1 }, "--epochs"), Saved);
        fewer.Problem.Should().Be("--epochs 1: the run has already finished 1 epoch(s); ask for more to continue it.");
        ResumeCompatibility.Rules.Where(r => r.Role == ResumeRole.MayChange).Select(r => r.Option).Should().BeEquivalentTo(["--epochs", "--channels-last", "--workers"], "batches depend on the seed and epoch only, not on the worker count");
    }

    [Fact]
    public void The_worker_count_may_change_but_a_photo_transform_may_not()
    {
        var photos = Saved with { Options = Saved.Options with { ImageFolder = new ImageFolderTrainingOptions { Workers = 2, ScaleMin = 0.08 } } };

        var plan = ResumeCompatibility.Plan(Request(photos.Options with { ImageFolder = new ImageFolderTrainingOptions { Workers = 1, ScaleMin = 0.5 } }, "--workers"), photos);
        plan.Conflicts.Should().BeEmpty();
        plan.Options.ImageFolder.Should().Be(new ImageFolderTrainingOptions { Workers = 1, ScaleMin = 0.08 }, "only --workers was given");

        ResumeCompatibility.Conflicts(Request(photos.Options with { ImageFolder = new ImageFolderTrainingOptions { Workers = 2, ScaleMin = 0.5 } }, "--scale"), photos)
            .Should().ContainSingle().Which.Option.Should().Be("--scale");
    }

    [Fact]
    public void An_ignored_option_never_conflicts_and_does_not_change_the_run()
    {
        string[] ignored = ["--data", "--val", "--out", "--threads", "--limit", "--class-names"];
        var request = Request(Saved.Options, ignored) with { Data = "other", Validation = "elsewhere", Output = "another", Limit = 3, ClassNames = ["x"] };

        var plan = ResumeCompatibility.Plan(request, Saved);

        plan.Conflicts.Should().BeEmpty();
        plan.Options.Should().Be(Saved.Options);
        ResumeCompatibility.Rules.Where(r => ignored.Contains(r.Option)).Should().OnlyContain(r => r.Role == ResumeRole.Ignored).And.HaveCount(ignored.Length);
    }

    [Fact]
    public void The_trainer_refuses_only_the_options_that_shape_the_run()
    {
        ResumeCompatibility.Conflicts(Saved.Options with { LearningRate = 1e30, Epochs = 9 }, Architecture, Saved).Should().BeEmpty("a library caller may change the learning rate on purpose");
        ResumeCompatibility.Conflicts(Saved.Options with { Seed = 6 }, Architecture with { Dim = 16 }, Saved).Select(c => c.Option).Should().Equal("--dim", "--seed");
    }
}
