namespace ConvMixerNet.Serving;

/// <summary><see cref="IImageClassificationService"/> on the <see cref="ClassificationQueue"/>.</summary>
internal sealed class QueueClassificationService(ClassificationQueue queue) : IImageClassificationService
{
    public bool IsReady => queue.IsReady;

    public ModelDescription? Model => queue.Model?.Description;

    public async Task<IReadOnlyList<Prediction>> ClassifyAsync(byte[] image, int topK = 5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        if (queue.IsStopping)
        {
            throw new ServingUnavailableException(Admission.ShuttingDown);
        }

        var model = queue.Model ?? throw new ServingUnavailableException(Admission.NotReady);
        var decoded = model.Decode(image);
        var admission = queue.TryEnqueue(decoded, Math.Min(topK, model.ClassCount), cancellationToken, out var answer, out var inFlight);
        if (admission != Admission.Accepted)
        {
            throw new ServingUnavailableException(admission);
        }

        // The caller sends its own answer; the request stops counting for the drain once the predictions are in.
        using (inFlight)
        {
            return await answer.ConfigureAwait(false);
        }
    }
}
