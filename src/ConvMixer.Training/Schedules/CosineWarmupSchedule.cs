namespace ConvMixerNet.Training;

/// <summary>
/// Linear warm-up from 0 to <see cref="MaxLearningRate"/> over <see cref="WarmupSteps"/> steps, then a cosine decay
/// to <see cref="MinLearningRate"/> at the end of the run.
/// </summary>
public sealed class CosineWarmupSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule for a run of <paramref name="totalSteps"/> optimizer steps.</summary>
    public CosineWarmupSchedule(double maxLearningRate, long totalSteps, long warmupSteps, double minLearningRate = 0.0)
    {
        if (!(maxLearningRate > 0) || double.IsInfinity(maxLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(maxLearningRate), maxLearningRate, "The maximum learning rate must be a positive finite number.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(warmupSteps, totalSteps);
        if (!(minLearningRate >= 0 && minLearningRate <= maxLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "The minimum learning rate must be in [0, maxLearningRate].");
        }

        MaxLearningRate = maxLearningRate;
        MinLearningRate = minLearningRate;
        TotalSteps = totalSteps;
        WarmupSteps = warmupSteps;
    }

    /// <summary>The rate at the end of the warm-up.</summary>
    public double MaxLearningRate { get; }

    /// <summary>The rate at the end of the run.</summary>
    public double MinLearningRate { get; }

    /// <summary>Steps of linear warm-up.</summary>
    public long WarmupSteps { get; }

    /// <inheritdoc />
    public long TotalSteps { get; }

    /// <inheritdoc />
    public double LearningRateAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            // Step i of the warm-up uses (i + 1) / warmup, so the last warm-up step reaches the maximum.
            return MaxLearningRate * (step + 1) / WarmupSteps;
        }

        var decaySteps = TotalSteps - WarmupSteps;
        if (decaySteps <= 0)
        {
            return MaxLearningRate;
        }

        var progress = Math.Min(1.0, (step - WarmupSteps) / (double)decaySteps);
        return MinLearningRate + (0.5 * (MaxLearningRate - MinLearningRate) * (1.0 + Math.Cos(Math.PI * progress)));
    }
}
