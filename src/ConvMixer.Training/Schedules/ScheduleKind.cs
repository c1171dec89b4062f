namespace ConvMixerNet.Training;

/// <summary>Which learning-rate schedule a <see cref="Trainer"/> builds for its run.</summary>
public enum ScheduleKind
{
    /// <summary>The official ConvMixer schedule, <see cref="OneCycleSchedule"/>.</summary>
    OneCycle,

    /// <summary><see cref="CosineWarmupSchedule"/> with <see cref="TrainerOptions.WarmupEpochs"/> of warm-up.</summary>
    CosineWithWarmup,

    /// <summary>The same rate for every step (useful for fine-tuning heads and for tests).</summary>
    Constant,
}
