namespace ConvMixerNet.Training.Tests;

/// <summary>
/// A thread that collects garbage and runs finalizers without pause until disposed, so that any native object whose
/// managed wrapper is unreachable while native code still uses it is freed during that use, not only by chance.
/// </summary>
internal sealed class FinalizerPressure : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _collections;

    private FinalizerPressure()
    {
        _thread = new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref _collections);
            }
        })
        { IsBackground = true, Name = "finalizer pressure" };
    }

    /// <summary>Collections finished so far.</summary>
    public long Collections => Interlocked.Read(ref _collections);

    public static FinalizerPressure Start()
    {
        var pressure = new FinalizerPressure();
        pressure._thread.Start();
        return pressure;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
