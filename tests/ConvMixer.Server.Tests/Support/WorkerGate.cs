namespace ConvMixerNet.Server.Tests;

/// <summary>Holds the model worker at the start of every batch until the test opens it: a worker that is busy on demand.</summary>
internal sealed class WorkerGate : IDisposable
{
    private readonly ManualResetEventSlim _open = new(false);
    private readonly SemaphoreSlim _arrivals = new(0);

    /// <summary>Lets every batch, waiting or to come, run.</summary>
    public void Open() => _open.Set();

    /// <summary>Waits until the worker has taken one more batch and stands at the gate.</summary>
    public async Task WaitForBatchAsync()
    {
        if (!await _arrivals.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The worker took no batch within 30 s.");
        }
    }

    /// <summary>Called by the worker: announces the batch, then waits (at most a minute, so a failed test cannot hang the run).</summary>
    public void Pass()
    {
        _arrivals.Release();
        _open.Wait(TimeSpan.FromMinutes(1));
    }

    public void Dispose()
    {
        _open.Set();
        _open.Dispose();
        _arrivals.Dispose();
    }
}
