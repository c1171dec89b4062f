namespace ConvMixerNet.Training;

/// <summary>An IDX file (the MNIST format) that cannot be read: the message names the file and what is wrong.</summary>
public sealed class IdxFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public IdxFormatException(string path, string problem, Exception? innerException = null)
        : base($"'{path}' is not a valid IDX file: {problem}", innerException)
    {
        FilePath = path;
    }

    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }
}
