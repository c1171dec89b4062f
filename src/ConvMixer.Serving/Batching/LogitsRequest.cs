namespace ConvMixerNet.Serving;

/// <summary>A preprocessed batch <c>[Count, C, H, W]</c> waiting for the worker (the Open Inference Protocol's requests), and the promise of its logits.</summary>
public sealed class LogitsRequest(float[] values, int count, CancellationToken aborted) : ModelRequest(aborted)
{
    // Continuations run on the thread pool, never on the worker thread: that thread only runs the model.
    private readonly TaskCompletionSource<float[]> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The model input, row-major.</summary>
    public float[] Values { get; } = values;

    /// <summary>Images in <see cref="Values"/>.</summary>
    public int Count { get; } = count;

    /// <summary>The logits <c>[Count, classes]</c>, once the worker has run the batch.</summary>
    public Task<float[]> Answer => _answer.Task;

    /// <summary>Answers with the logits.</summary>
    public void Complete(float[] logits) => _answer.TrySetResult(logits);

    /// <inheritdoc />
    public override void Fail(Exception error) => _answer.TrySetException(error);

    /// <inheritdoc />
    public override void Cancel() => _answer.TrySetCanceled(Aborted);
}
