namespace ConvMixerNet.Serving;

/// <summary>Whether the queue took a request, and why not.</summary>
public enum Admission
{
    /// <summary>Queued; the worker will answer it.</summary>
    Accepted,

    /// <summary>The model is still loading.</summary>
    NotReady,

    /// <summary>The queue is at its capacity.</summary>
    QueueFull,

    /// <summary>The service is stopping and takes no new work.</summary>
    ShuttingDown,
}
