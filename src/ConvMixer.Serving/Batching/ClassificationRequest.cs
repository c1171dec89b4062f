namespace ConvMixerNet.Serving;

/// <summary>One decoded upload waiting for the worker, and the promise of its answer.</summary>
public sealed class ClassificationRequest(RgbImage image, int topK, CancellationToken aborted) : ModelRequest(aborted)
{
    // Continuations run on the thread pool, never on the worker thread: that thread only runs the model.
    private readonly TaskCompletionSource<IReadOnlyList<Prediction>> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The image.</summary>
    public RgbImage Image { get; } = image;

    /// <summary>How many classes the client asked for.</summary>
    public int TopK { get; } = topK;

    /// <summary>The predictions, once the worker has run the batch.</summary>
    public Task<IReadOnlyList<Prediction>> Answer => _answer.Task;

    /// <summary>Answers with the first <see cref="TopK"/> of <paramref name="predictions"/>.</summary>
    public void Complete(IReadOnlyList<Prediction> predictions) =>
        _answer.TrySetResult(predictions.Count == TopK ? predictions : predictions.Take(TopK).ToArray());

    /// <inheritdoc />
    public override void Fail(Exception error) => _answer.TrySetException(error);

    /// <inheritdoc />
    public override void Cancel() => _answer.TrySetCanceled(Aborted);
}
