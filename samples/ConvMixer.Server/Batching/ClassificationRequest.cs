namespace ConvMixerNet.Server;

/// <summary>One decoded upload waiting for the worker, and the promise of its answer.</summary>
public sealed class ClassificationRequest(RgbImage image, int topK, CancellationToken aborted)
{
    // Continuations run on the thread pool, never on the worker thread: that thread only runs the model.
    private readonly TaskCompletionSource<IReadOnlyList<Prediction>> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The image.</summary>
    public RgbImage Image { get; } = image;

    /// <summary>How many classes the client asked for.</summary>
    public int TopK { get; } = topK;

    /// <summary>True when the client has gone, so the worker can skip the image.</summary>
    public bool IsAbandoned => aborted.IsCancellationRequested;

    /// <summary>The predictions, once the worker has run the batch.</summary>
    public Task<IReadOnlyList<Prediction>> Answer => _answer.Task;

    /// <summary>Answers with the first <see cref="TopK"/> of <paramref name="predictions"/>.</summary>
    public void Complete(IReadOnlyList<Prediction> predictions) =>
        _answer.TrySetResult(predictions.Count == TopK ? predictions : predictions.Take(TopK).ToArray());

    /// <summary>Answers with an error.</summary>
    public void Fail(Exception error) => _answer.TrySetException(error);

    /// <summary>Answers that the client has gone.</summary>
    public void Cancel() => _answer.TrySetCanceled(aborted);
}
