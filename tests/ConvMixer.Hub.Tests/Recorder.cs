using System.Collections.Concurrent;

namespace ConvMixerNet.Hub.Tests;

/// <summary>An <see cref="IProgress{T}"/> that records every report on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
internal sealed class Recorder<T>(Action<T>? onReport = null) : IProgress<T>
{
    public ConcurrentQueue<T> Reports { get; } = new();

    public void Report(T value)
    {
        Reports.Enqueue(value);
        onReport?.Invoke(value);
    }
}
