namespace ConvMixerNet.Serving;

/// <summary>An inference request the server cannot run, with the sentence its 400 answer gives.</summary>
public sealed class InferenceRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InferenceRequestException()
    {
    }

    /// <summary>Creates the exception with the problem in words.</summary>
    public InferenceRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the problem in words and its cause.</summary>
    public InferenceRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
