using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class OneCycleScheduleTests
{
    // 100 steps: step i is evaluated at t = (i + 1) / 100, as the official script's lr_schedule(epoch + (i + 1) / n).
    [Theory]
    [InlineData(19, 0.05)] // t = 0.2: halfway up to the peak 0.1
    [InlineData(39, 0.1)] // t = 0.4: the peak
    [InlineData(59, 0.0525)] // t = 0.6: halfway from 0.1 down to 0.005
    [InlineData(79, 0.005)] // t = 0.8: max / 20
    [InlineData(89, 0.0025)] // t = 0.9: halfway from 0.005 to 0
    [InlineData(99, 0.0)] // t = 1: the end
    [InlineData(0, 0.0025)] // t = 0.01: 0.1 * 0.01 / 0.4
    public void Values_at_known_steps_follow_the_official_piecewise_linear_curve(long step, double expected)
    {
        new OneCycleSchedule(0.1, 100).LearningRateAt(step).Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Steps_past_the_end_stay_at_zero_and_negative_steps_are_rejected()
    {
        var schedule = new OneCycleSchedule(0.1, 100);
        schedule.LearningRateAt(150).Should().Be(0);
        FluentActions.Invoking(() => schedule.LearningRateAt(-1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new OneCycleSchedule(0, 100)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new OneCycleSchedule(0.1, 0)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
