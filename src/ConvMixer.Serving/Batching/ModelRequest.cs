namespace ConvMixerNet.Serving;

/// <summary>Work queued for the model's worker thread: a classification (batched) or an explanation (one at a time).</summary>
public abstract class ModelRequest(CancellationToken aborted)
{
    /// <summary>When the request was made (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), for the queue-time metric.</summary>
    public long Created { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>True when the client has gone, so the worker can skip the work.</summary>
    public bool IsAbandoned => aborted.IsCancellationRequested;

    /// <summary>Answers with an error.</summary>
    public abstract void Fail(Exception error);

    /// <summary>Answers that the client has gone.</summary>
    public abstract void Cancel();

    /// <summary>The token that says the client has gone.</summary>
    protected CancellationToken Aborted => aborted;
}
