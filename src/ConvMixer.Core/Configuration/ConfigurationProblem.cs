namespace ConvMixerNet.Core;

/// <summary>One thing wrong with a configuration, as data: callers show <see cref="Message"/> as it stands.</summary>
/// <param name="Field">The property at fault (for example <c>Mean</c>, <c>Data.Std</c>, <c>LabelNames</c>).</param>
/// <param name="Message">A complete sentence naming the field and the problem.</param>
public sealed record ConfigurationProblem(string Field, string Message);
