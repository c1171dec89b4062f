using System.Collections;

namespace ConvMixerNet.Server.Tests;

/// <summary>
/// Holds a request's handler after the worker has answered it and before the answer is written: the worker only
/// counts an image's predictions, the handler enumerates them to build its response, and that enumeration waits here.
/// </summary>
internal sealed class AnswerGate : IDisposable
{
    private readonly ManualResetEventSlim _open = new(false);
    private readonly SemaphoreSlim _arrivals = new(0);

    /// <summary>Lets every held handler, and any to come, write its answer.</summary>
    public void Open() => _open.Set();

    /// <summary>Waits until one more handler holds its answer at the gate.</summary>
    public async Task WaitForHandlerAsync()
    {
        if (!await _arrivals.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("No handler has read its answer within 30 s.");
        }
    }

    /// <summary>One image's predictions, whose enumeration waits at the gate.</summary>
    public IReadOnlyList<Prediction> Hold(IReadOnlyList<Prediction> predictions) => new HeldPredictions(predictions, this);

    public void Dispose()
    {
        _open.Set();
        _open.Dispose();
        _arrivals.Dispose();
    }

    private void Pass()
    {
        _arrivals.Release();
        _open.Wait(TimeSpan.FromMinutes(1));
    }

    // Not an IList, so LINQ enumerates it rather than indexing it.
    private sealed class HeldPredictions(IReadOnlyList<Prediction> predictions, AnswerGate gate) : IReadOnlyList<Prediction>
    {
        public int Count => predictions.Count;

        public Prediction this[int index] => predictions[index];

        public IEnumerator<Prediction> GetEnumerator()
        {
            gate.Pass();
            return predictions.GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
