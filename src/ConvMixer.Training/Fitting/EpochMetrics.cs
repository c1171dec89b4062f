namespace ConvMixerNet.Training;

/// <summary>The results of one epoch, as written to <c>metrics.csv</c>.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss (with label smoothing, if any).</param>
/// <param name="TrainAccuracy">Training top-1 accuracy on augmented images, in [0, 1].</param>
/// <param name="ValidationLoss">Mean validation cross-entropy (without smoothing), or null without a validation set.</param>
/// <param name="ValidationAccuracy">Validation top-1 accuracy, or null without a validation set.</param>
/// <param name="LearningRate">Rate of the epoch's last optimizer step.</param>
/// <param name="TrainSeconds">Wall time of the training pass.</param>
/// <param name="ImagesPerSecond">Training throughput.</param>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double LearningRate,
    double TrainSeconds,
    double ImagesPerSecond);
