namespace ConvMixerNet.Training;

/// <summary>What a <see cref="TrainingProgress"/> report is about.</summary>
public enum TrainingPhase
{
    /// <summary>A training batch finished.</summary>
    Training,

    /// <summary>An evaluation batch finished.</summary>
    Evaluating,

    /// <summary>An epoch finished (training, evaluation and checkpoint); <see cref="TrainingProgress.CompletedEpoch"/> is set.</summary>
    EpochCompleted,
}
