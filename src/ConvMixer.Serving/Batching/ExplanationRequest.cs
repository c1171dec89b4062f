namespace ConvMixerNet.Serving;

/// <summary>One decoded upload to explain, and the promise of its class activation map.</summary>
public sealed class ExplanationRequest(RgbImage image, int? classIndex, CamMethod method, CancellationToken aborted) : ModelRequest(aborted)
{
    // Continuations run on the thread pool, never on the worker thread: that thread only runs the model.
    private readonly TaskCompletionSource<Explanation> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The image.</summary>
    public RgbImage Image { get; } = image;

    /// <summary>The class to explain; null for the most probable one.</summary>
    public int? ClassIndex { get; } = classIndex;

    /// <summary>Grad-CAM or EigenCAM.</summary>
    public CamMethod Method { get; } = method;

    /// <summary>The explanation, once the worker has computed it.</summary>
    public Task<Explanation> Answer => _answer.Task;

    /// <summary>Answers with the explanation.</summary>
    public void Complete(Explanation explanation) => _answer.TrySetResult(explanation);

    /// <inheritdoc />
    public override void Fail(Exception error) => _answer.TrySetException(error);

    /// <inheritdoc />
    public override void Cancel() => _answer.TrySetCanceled(Aborted);
}
