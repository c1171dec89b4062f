namespace ConvMixerNet.Serving;

/// <summary>
/// Counts the requests the queue has taken whose answers are not yet sent, so that stopping can wait for them: once
/// the queue's StopAsync returns, the host may dispose the services a handler still needs to write its answer.
/// </summary>
internal sealed class InFlightRequests
{
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource? _emptied;

    /// <summary>Requests taken and not yet answered.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Counts one more request until the returned handle is disposed (once its answer is sent).</summary>
    public IDisposable Enter()
    {
        lock (_lock)
        {
            _count++;
        }

        return new Handle(this);
    }

    /// <summary>Completes when no request is in flight.</summary>
    public Task WhenEmptyAsync()
    {
        lock (_lock)
        {
            return _count == 0 ? Task.CompletedTask : (_emptied ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    private void Leave()
    {
        TaskCompletionSource? emptied = null;
        lock (_lock)
        {
            if (--_count == 0)
            {
                (emptied, _emptied) = (_emptied, null);
            }
        }

        emptied?.TrySetResult();
    }

    private sealed class Handle(InFlightRequests requests) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                requests.Leave();
            }
        }
    }
}
