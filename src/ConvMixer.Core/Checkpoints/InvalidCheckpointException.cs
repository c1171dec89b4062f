namespace ConvMixerNet.Core;

/// <summary>
/// A checkpoint file cannot be read: it is truncated, corrupt, of an unknown format, not a ConvMixer, holds values that
/// are refused (NaN or infinity), or asks the unpickler for something a checkpoint never needs. The message names the
/// file and the problem.
/// </summary>
public sealed class InvalidCheckpointException : CheckpointException
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message is "Cannot read checkpoint '…': problem".</summary>
    public InvalidCheckpointException(string path, string problem, Exception? innerException = null)
        : base(path, $"Cannot read checkpoint '{path}': {problem}", innerException)
    {
        Problem = problem;
    }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
