using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class CosineWarmupScheduleTests
{
    // 10 warm-up steps then 100 cosine steps from 0.2 down to 0.02.
    [Theory]
    [InlineData(0, 0.02)] // 0.2 * 1 / 10
    [InlineData(4, 0.1)] // 0.2 * 5 / 10
    [InlineData(9, 0.2)] // end of warm-up
    [InlineData(10, 0.2)] // cosine at progress 0
    [InlineData(60, 0.11)] // progress 1/2: (0.2 + 0.02) / 2
    [InlineData(35, 0.17363961030678928)] // progress 1/4: 0.02 + 0.09 * (1 + cos(pi / 4))
    [InlineData(110, 0.02)] // the end
    public void Values_at_known_steps(long step, double expected)
    {
        new CosineWarmupSchedule(0.2, totalSteps: 110, warmupSteps: 10, minLearningRate: 0.02)
            .LearningRateAt(step).Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Options_build_warm_up_from_epochs_and_reject_bad_values()
    {
        var schedule = (CosineWarmupSchedule)new TrainerOptions { Epochs = 4, Schedule = ScheduleKind.CosineWithWarmup, WarmupEpochs = 1.5, LearningRate = 0.1 }
            .CreateSchedule(stepsPerEpoch: 10);
        schedule.WarmupSteps.Should().Be(15);
        schedule.TotalSteps.Should().Be(40);
        FluentActions.Invoking(() => new CosineWarmupSchedule(0.1, 10, 11)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new CosineWarmupSchedule(0.1, 10, 2, minLearningRate: 0.5)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
