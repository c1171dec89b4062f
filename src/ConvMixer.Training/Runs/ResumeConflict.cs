namespace ConvMixerNet.Training;

/// <summary>An option a resumed run was asked to change although it must keep the run's value.</summary>
/// <param name="Option">The option, as <c>convmixer train</c> names it (<c>--lr</c>).</param>
/// <param name="Stored">The run's value, as text (<c>(none)</c> when unset).</param>
/// <param name="Requested">The value asked for, as text.</param>
/// <param name="Description">The conflict in a few words: <c>--lr 0.5 (the run has 0.01)</c>.</param>
public sealed record ResumeConflict(string Option, string Stored, string Requested, string Description);
