namespace ConvMixerNet.Training;

/// <summary>A learning rate as a function of the optimizer step, so a resumed run only needs the step number.</summary>
public interface ILearningRateSchedule
{
    /// <summary>Total optimizer steps of the run the schedule was built for.</summary>
    long TotalSteps { get; }

    /// <summary>The learning rate for the optimizer step with 0-based index <paramref name="step"/>.</summary>
    double LearningRateAt(long step);
}
