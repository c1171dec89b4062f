namespace ConvMixerNet.Core;

/// <summary>
/// The weights do not have the shapes of the preset named in <see cref="CheckpointLoadOptions.Preset"/>. An
/// <see cref="ArgumentException"/> (the option was wrong) whose message names the file, the shapes found and the preset,
/// ready to show as it is.
/// </summary>
public sealed class PresetMismatchException : ArgumentException
{
    /// <summary>Creates the exception with its message.</summary>
    public PresetMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public PresetMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
