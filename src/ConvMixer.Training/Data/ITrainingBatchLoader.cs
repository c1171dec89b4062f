namespace ConvMixerNet.Training;

/// <summary>What the trainer needs of a loader: the epoch's order (a function of the seed and epoch) and its batches.</summary>
internal interface ITrainingBatchLoader
{
    /// <summary>Batches per epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The shuffled order of <paramref name="epoch"/>.</summary>
    int[] ShuffledOrder(int epoch);

    /// <summary>The batches of one pass over <paramref name="order"/>.</summary>
    IEnumerable<HostBatch> Batches(int[] order, int epoch, CancellationToken cancellationToken = default);
}
