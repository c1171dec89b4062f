namespace ConvMixerNet.Serving;

/// <summary>The batching settings in effect and the work done so far, as GET /v1/model reports them.</summary>
/// <param name="BatchSize">The most images per forward pass.</param>
/// <param name="MaxBatchDelayMs">The longest wait for a batch to fill.</param>
/// <param name="QueueCapacity">Requests that may wait.</param>
/// <param name="Threads">libtorch's intra-op threads.</param>
/// <param name="MaxUploadBytes">The largest request body accepted.</param>
/// <param name="Queued">Requests waiting now.</param>
/// <param name="Batches">Forward passes run.</param>
/// <param name="Images">Images classified.</param>
public sealed record ServingDescription(
    int BatchSize, int MaxBatchDelayMs, int QueueCapacity, int Threads, long MaxUploadBytes, int Queued, long Batches, long Images)
{
    /// <summary>Requests taken and not yet answered: queued, in the batch being gathered or run, or being sent.</summary>
    public int InFlight { get; init; }
}
