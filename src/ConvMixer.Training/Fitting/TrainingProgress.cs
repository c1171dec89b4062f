namespace ConvMixerNet.Training;

/// <summary>A progress report of a <see cref="Trainer"/>: where the run is and how it goes.</summary>
/// <param name="Phase">What finished.</param>
/// <param name="Epoch">The 1-based epoch.</param>
/// <param name="Epochs">Epochs of the run.</param>
/// <param name="Step">Batches done in this epoch's current phase.</param>
/// <param name="Steps">Batches of this epoch's current phase.</param>
/// <param name="Loss">Mean loss over the phase so far.</param>
/// <param name="Accuracy">Top-1 accuracy over the phase so far, in [0, 1].</param>
/// <param name="LearningRate">The rate of the last optimizer step.</param>
/// <param name="ImagesPerSecond">Throughput of the phase so far.</param>
/// <param name="Eta">Estimated time to the end of the run's training (evaluation not included).</param>
/// <param name="CompletedEpoch">The finished epoch's metrics when <paramref name="Phase"/> is <see cref="TrainingPhase.EpochCompleted"/>.</param>
public sealed record TrainingProgress(
    TrainingPhase Phase,
    int Epoch,
    int Epochs,
    int Step,
    int Steps,
    double Loss,
    double Accuracy,
    double LearningRate,
    double ImagesPerSecond,
    TimeSpan Eta,
    EpochMetrics? CompletedEpoch = null);
