namespace ConvMixerNet.Core;

/// <summary>Thrown when TorchSharp's native libraries cannot be loaded; the message names the cause and the fix.</summary>
public sealed class TorchRuntimeException : InvalidOperationException
{
    /// <summary>Creates the exception with an explanation and the original loading failure.</summary>
    public TorchRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
