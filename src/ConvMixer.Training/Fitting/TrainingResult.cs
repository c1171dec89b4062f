namespace ConvMixerNet.Training;

/// <summary>What a finished <see cref="Trainer.Fit"/> returns.</summary>
/// <param name="History">Metrics of every epoch, including those before a resume.</param>
/// <param name="FinalEvaluation">Evaluation of the final model on the validation set, or null without one.</param>
/// <param name="CheckpointPath">The last checkpoint written, or null without an output directory.</param>
public sealed record TrainingResult(IReadOnlyList<EpochMetrics> History, EvaluationResult? FinalEvaluation, string? CheckpointPath);
