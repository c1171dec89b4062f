namespace ConvMixerNet.Serving;

/// <summary>The queue refused the work: what an HTTP answer turns into 503 with Retry-After.</summary>
public sealed class ServingUnavailableException : Exception
{
    /// <summary>Creates the exception for a refusal.</summary>
    public ServingUnavailableException(Admission admission)
        : base(Describe(admission)) => Admission = admission;

    /// <summary>Creates the exception with a message.</summary>
    public ServingUnavailableException()
        : this(Admission.NotReady)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ServingUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ServingUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the work was refused.</summary>
    public Admission Admission { get; } = Admission.NotReady;

    /// <summary>The sentence an answer gives for a refusal.</summary>
    public static string Describe(Admission admission) => admission switch
    {
        Admission.NotReady => "the model is still loading",
        Admission.QueueFull => "the queue is full; try again shortly",
        _ => "the server is shutting down",
    };
}
