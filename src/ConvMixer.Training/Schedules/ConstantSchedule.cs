namespace ConvMixerNet.Training;

/// <summary>The same learning rate at every step.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public ConstantSchedule(double learningRate, long totalSteps)
    {
        if (!(learningRate >= 0) || double.IsInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a non-negative finite number.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        LearningRate = learningRate;
        TotalSteps = totalSteps;
    }

    /// <summary>The rate of every step.</summary>
    public double LearningRate { get; }

    /// <inheritdoc />
    public long TotalSteps { get; }

    /// <inheritdoc />
    public double LearningRateAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return LearningRate;
    }
}
