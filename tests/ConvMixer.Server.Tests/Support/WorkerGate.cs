using System.Collections.Concurrent;

namespace ConvMixerNet.Server.Tests;

/// <summary>
/// Holds the model worker where a test needs it (before it loads the model, and at the start of every batch until the
/// test opens it: a worker that is busy on demand), and tells what it did: each batch's size and the model's release.
/// </summary>
internal sealed class WorkerGate(bool holdLoading = false) : IDisposable
{
    private readonly ManualResetEventSlim _loading = new(!holdLoading);
    private readonly SemaphoreSlim _loadArrival = new(0);
    private readonly ManualResetEventSlim _open = new(false);
    private readonly SemaphoreSlim _arrivals = new(0);
    private readonly ConcurrentQueue<int> _batchSizes = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The number of images of each batch the worker has taken, in order.</summary>
    public IReadOnlyList<int> BatchSizes => [.. _batchSizes];

    /// <summary>Completes when the worker has disposed the model.</summary>
    public Task ModelReleased => _released.Task;

    /// <summary>Lets the worker load the model.</summary>
    public void OpenLoading() => _loading.Set();

    /// <summary>Lets every batch, waiting or to come, run.</summary>
    public void Open() => _open.Set();

    /// <summary>Waits until the worker has begun to load the model.</summary>
    public Task WaitForLoadingAsync() => WaitAsync(_loadArrival, "began to load the model");

    /// <summary>Waits until the worker has taken one more batch and stands at the gate.</summary>
    public Task WaitForBatchAsync() => WaitAsync(_arrivals, "taken a batch");

    /// <summary>Called by the worker before it loads the model.</summary>
    public void PassLoading()
    {
        _loadArrival.Release();
        _loading.Wait(TimeSpan.FromMinutes(1));
    }

    /// <summary>Called by the worker: records and announces the batch, then waits (at most a minute, so a failed test cannot hang the run).</summary>
    public void Pass(int images)
    {
        _batchSizes.Enqueue(images);
        _arrivals.Release();
        _open.Wait(TimeSpan.FromMinutes(1));
    }

    /// <summary>Called when the model is disposed.</summary>
    public void Released() => _released.TrySetResult();

    public void Dispose()
    {
        _loading.Set();
        _open.Set();
        _loading.Dispose();
        _open.Dispose();
        _loadArrival.Dispose();
        _arrivals.Dispose();
    }

    private static async Task WaitAsync(SemaphoreSlim arrivals, string what)
    {
        if (!await arrivals.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"The worker has not {what} within 30 s.");
        }
    }
}
