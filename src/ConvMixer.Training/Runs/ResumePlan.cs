namespace ConvMixerNet.Training;

/// <summary>How a run continues: its stored options with what may change, or why it cannot.</summary>
/// <param name="Options">The options to continue with (valid when <see cref="Conflicts"/> is empty and <see cref="Problem"/> null).</param>
/// <param name="Conflicts">Options asked to change that must keep the run's value.</param>
/// <param name="Problem">A value that cannot continue the run (fewer epochs than already finished), or null.</param>
/// <param name="Note">What the changed values do (a longer schedule), or null.</param>
public sealed record ResumePlan(TrainerOptions Options, IReadOnlyList<ResumeConflict> Conflicts, string? Problem, string? Note);
