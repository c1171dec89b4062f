namespace ConvMixerNet.Training;

/// <summary>An invalid value of <see cref="TrainerOptions"/>.</summary>
/// <param name="Property">The property's name (<c>LearningRate</c>).</param>
/// <param name="Message">What is wrong, naming the value.</param>
public sealed record OptionProblem(string Property, string Message);
