namespace ConvMixerNet.Onnx;

/// <summary>An .onnx file that cannot be used: not ONNX, truncated, not a ConvMixer export, or rejected by ONNX Runtime.</summary>
public sealed class InvalidOnnxModelException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message names the file and the problem.</summary>
    public InvalidOnnxModelException(string path, string problem, Exception? innerException = null)
        : base($"'{path}': {problem}", innerException)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
