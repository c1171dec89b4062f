using System.Collections.Concurrent;

namespace ConvMixerNet.Training;

/// <summary>
/// Cuts a data set into batches in a given order, augments and normalizes them on a background thread, and keeps
/// up to <see cref="PrefetchBatches"/> ready so the training loop does not wait for them.
/// </summary>
public sealed class BatchLoader : ITrainingBatchLoader
{
    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The images.</param>
    /// <param name="batchSize">Images per batch; the last batch of an epoch may be smaller.</param>
    /// <param name="data">Its <see cref="DataConfig.Mean"/> and <see cref="DataConfig.Std"/> normalise every image after augmentation.</param>
    /// <param name="augmentation">Random transforms (training only), or <see cref="Augmentation.None"/>.</param>
    /// <param name="seed">Seed of the shuffling and augmentation.</param>
    /// <param name="prefetchBatches">Batches prepared ahead by the background thread (at least 1).</param>
    public BatchLoader(ImageDataset dataset, int batchSize, DataConfig data, Augmentation augmentation, long seed = 0, int prefetchBatches = 2)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(augmentation);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetchBatches, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(augmentation.CropPadding);
        if (dataset.Count == 0)
        {
            throw new ArgumentException("The data set is empty.", nameof(dataset));
        }

        if (data.Mean.Count != dataset.Channels || data.Std.Count != dataset.Channels || data.Std.Any(s => !(s > 0)))
        {
            throw new ArgumentException(
                $"The data config has {data.Mean.Count} means and {data.Std.Count} standard deviations (all positive needed); the images have {dataset.Channels} channel(s).", nameof(data));
        }

        Dataset = dataset;
        BatchSize = batchSize;
        Data = data;
        Augmentation = augmentation;
        Seed = seed;
        PrefetchBatches = prefetchBatches;
    }

    /// <summary>The images.</summary>
    public ImageDataset Dataset { get; }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The configuration whose statistics normalise every batch.</summary>
    public DataConfig Data { get; }

    /// <summary>Random transforms.</summary>
    public Augmentation Augmentation { get; }

    /// <summary>Seed of shuffling and augmentation.</summary>
    public long Seed { get; }

    /// <summary>Batches prepared ahead.</summary>
    public int PrefetchBatches { get; }

    /// <summary>Batches per epoch (the last one may be partial).</summary>
    public int BatchesPerEpoch => (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>The images in their stored order.</summary>
    public int[] SequentialOrder() => EpochOrder.Sequential(Dataset.Count);

    /// <summary>The shuffled order of epoch <paramref name="epoch"/>, a function of the seed and the epoch only.</summary>
    public int[] ShuffledOrder(int epoch) => EpochOrder.Shuffled(Dataset.Count, Seed, epoch);

    /// <summary>
    /// Yields the batches of one pass over <paramref name="order"/>, prepared on a background thread.
    /// <paramref name="epoch"/> selects the augmentation draws, so the same epoch always yields the same batches.
    /// </summary>
    public IEnumerable<HostBatch> Batches(int[] order, int epoch, CancellationToken cancellationToken = default)
    {
        EpochOrder.Check(order, Dataset.Count);

        return Produce(order, epoch, cancellationToken);
    }

    private IEnumerable<HostBatch> Produce(int[] order, int epoch, CancellationToken cancellationToken)
    {
        var batchCount = (order.Length + BatchSize - 1) / BatchSize;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var ready = new BlockingCollection<HostBatch>(PrefetchBatches);
        Exception? failure = null;
        var producer = Task.Run(() =>
        {
            try
            {
                for (var b = 0; b < batchCount; b++)
                {
                    ready.Add(Prepare(order, epoch, b), stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped early; nothing to report.
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                ready.CompleteAdding();
            }
        });

        try
        {
            foreach (var batch in ready.GetConsumingEnumerable(cancellationToken))
            {
                yield return batch;
            }

            if (failure is not null)
            {
                throw new InvalidOperationException($"Preparing a batch failed: {failure.Message}", failure);
            }
        }
        finally
        {
            stop.Cancel();
            producer.Wait(CancellationToken.None);
        }
    }

    /// <summary>Batch <paramref name="batchIndex"/> of a pass over <paramref name="order"/>; deterministic in (seed, epoch, batch).</summary>
    internal HostBatch Prepare(int[] order, int epoch, int batchIndex)
    {
        var start = batchIndex * BatchSize;
        var count = Math.Min(BatchSize, order.Length - start);
        var (channels, height, width) = (Dataset.Channels, Dataset.Height, Dataset.Width);
        var size = Dataset.PixelsPerImage;
        var pixels = new float[count * size];
        var labels = new long[count];
        var random = Augmentation.IsEnabled ? new Random(SeedMixer.Mix(Seed, epoch, batchIndex)) : null;
        var scratch = random is null ? null : new float[size];
        for (var i = 0; i < count; i++)
        {
            var index = order[start + i];
            var target = pixels.AsSpan(i * size, size);
            if (random is null)
            {
                Dataset.CopyPixels(index, target);
            }
            else
            {
                Dataset.CopyPixels(index, scratch);
                Augmentation.Apply(scratch, target, channels, height, width, random);
            }

            labels[i] = Dataset.LabelAt(index);
            Normalization.Apply(target, Data.Mean, Data.Std);
        }

        return new HostBatch(pixels, labels, channels, height, width);
    }
}
