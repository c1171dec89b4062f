namespace ConvMixerNet.Training;

/// <summary>
/// The schedule of the official ConvMixer training script: piecewise linear from 0 up to <see cref="MaxLearningRate"/>
/// at 2/5 of the run, down to max/20 at 4/5, and to 0 at the end, evaluated per optimizer step.
/// </summary>
/// <remarks>
/// As in the official script, step <c>i</c> uses the value at time <c>(i + 1) / TotalSteps</c>, so the first step
/// already has a small positive rate and the last one reaches 0.
/// </remarks>
public sealed class OneCycleSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule for a run of <paramref name="totalSteps"/> optimizer steps.</summary>
    public OneCycleSchedule(double maxLearningRate, long totalSteps)
    {
        if (!(maxLearningRate > 0) || double.IsInfinity(maxLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(maxLearningRate), maxLearningRate, "The maximum learning rate must be a positive finite number.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        MaxLearningRate = maxLearningRate;
        TotalSteps = totalSteps;
    }

    /// <summary>The peak learning rate, reached at 2/5 of the run.</summary>
    public double MaxLearningRate { get; }

    /// <inheritdoc />
    public long TotalSteps { get; }

    /// <inheritdoc />
    public double LearningRateAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var t = Math.Min(1.0, (step + 1) / (double)TotalSteps);
        return t switch
        {
            <= 0.4 => Interpolate(t, 0.0, 0.4, 0.0, MaxLearningRate),
            <= 0.8 => Interpolate(t, 0.4, 0.8, MaxLearningRate, MaxLearningRate / 20.0),
            _ => Interpolate(t, 0.8, 1.0, MaxLearningRate / 20.0, 0.0),
        };
    }

    private static double Interpolate(double t, double t0, double t1, double v0, double v1) =>
        v0 + ((t - t0) / (t1 - t0) * (v1 - v0));
}
