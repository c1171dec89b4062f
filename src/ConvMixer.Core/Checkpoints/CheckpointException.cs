namespace ConvMixerNet.Core;

/// <summary>
/// A checkpoint file could not be used: <see cref="InvalidCheckpointException"/> when it cannot be read,
/// <see cref="CheckpointMismatchException"/> when it does not fit the model. The message names the file and the problem.
/// </summary>
/// <remarks>An <see cref="IOException"/>, so code that already handles file errors catches these too.</remarks>
public abstract class CheckpointException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    protected CheckpointException(string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }
}
