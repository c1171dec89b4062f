namespace ConvMixerNet.Onnx;

/// <summary>ONNX Runtime failed while running a valid model (for example out of memory); the message names the file.</summary>
public sealed class OnnxInferenceException : Exception
{
    /// <summary>Creates the exception; <paramref name="innerException"/> is ONNX Runtime's own.</summary>
    public OnnxInferenceException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
