namespace ConvMixerNet.Training;

/// <summary>One option of a training run and what a resume does with it (a row of <see cref="ResumeCompatibility.Rules"/>).</summary>
/// <param name="Option">The option as <c>convmixer train</c> names it.</param>
/// <param name="Label">The option in words, for messages of the library.</param>
/// <param name="Role">Whether a resume must keep the run's value, may take a new one, or ignores the option.</param>
/// <param name="ShapesRun">
/// The run's weights, data order or step count depend on it, so <see cref="Trainer.Resume"/> refuses another value
/// even from a library caller (who may otherwise change, say, the learning rate on purpose).
/// </param>
/// <param name="OverridesRecipe">Typed next to <c>--recipe</c>, it replaces one of the recipe's values.</param>
public sealed record ResumeRule(string Option, string Label, ResumeRole Role, bool ShapesRun, bool OverridesRecipe)
{
    /// <summary>The value asked for.</summary>
    internal Func<TrainingRequest, object?>? Requested { get; init; }

    /// <summary>The run's value (the request for values the run does not store).</summary>
    internal Func<CheckpointState, TrainingRequest, object?>? Stored { get; init; }

    /// <summary>A conflict worded by the rule itself, for options that are not plain values (a preset, starting weights).</summary>
    internal Func<TrainingRequest, CheckpointState, ResumeConflict?>? Conflict { get; init; }
}
