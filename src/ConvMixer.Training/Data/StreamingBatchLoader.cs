using System.Collections.Concurrent;
using System.Diagnostics;

namespace ConvMixerNet.Training;

/// <summary>
/// Batches of an image folder decoded and augmented on background workers while the model trains, so memory does not
/// grow with the data set: at most <see cref="QueueBatches"/> batches are prepared or being prepared at any time. Each
/// image's random transforms are seeded by (seed, epoch, position in the epoch), so an epoch's batches are the same for
/// any worker count. Files that cannot be read are left out of their batch and listed in <see cref="Skipped"/>.
/// </summary>
public sealed class StreamingBatchLoader : ITrainingBatchLoader
{
    private readonly (string Path, int Label)[] _files;
    private readonly ConcurrentDictionary<string, SkippedImage> _skipped = new(StringComparer.Ordinal);
    private int _blockedWorkers;
    private int _held;
    private int _peakHeld;
    private long _waitTicks;

    /// <summary>Creates a loader.</summary>
    /// <param name="files">Image files and their class labels.</param>
    /// <param name="classNames">Class names, indexed by label.</param>
    /// <param name="reader">Decodes and augments one image (thread-safe).</param>
    /// <param name="batchSize">Images per batch (a batch is smaller when files in it cannot be read, and at the end of an epoch).</param>
    /// <param name="seed">Seed of the shuffling and augmentation.</param>
    /// <param name="erasing">timm's random erasing, applied to each normalised image, or null.</param>
    /// <param name="workers">Decoding threads; 0 takes the processor count.</param>
    /// <param name="queueBatches">Batches prepared ahead (at least 1): the memory bound.</param>
    public StreamingBatchLoader(
        IReadOnlyList<(string Path, int Label)> files, IReadOnlyList<string> classNames, ITrainingImageReader reader, int batchSize, long seed = 0,
        RandomErasing? erasing = null, int workers = 0, int queueBatches = 2)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueBatches, 1);
        if (files.Count == 0)
        {
            throw new ArgumentException("The image folder holds no images.", nameof(files));
        }

        var bad = files.FirstOrDefault(f => f.Label < 0 || f.Label >= classNames.Count);
        if (bad.Path is not null)
        {
            throw new ArgumentException($"'{bad.Path}' has label {bad.Label}, outside the {classNames.Count} classes.", nameof(files));
        }

        erasing?.Validate();
        _files = files.ToArray();
        ClassNames = classNames;
        Reader = reader;
        BatchSize = batchSize;
        Seed = seed;
        Erasing = erasing;
        Workers = workers == 0 ? Environment.ProcessorCount : workers;
        QueueBatches = queueBatches;
    }

    /// <summary>Images in the folder (readable or not).</summary>
    public int Count => _files.Length;

    /// <summary>Class names, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Decodes and augments one image.</summary>
    public ITrainingImageReader Reader { get; }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Seed of shuffling and augmentation.</summary>
    public long Seed { get; }

    /// <summary>Random erasing of normalised images, or null.</summary>
    public RandomErasing? Erasing { get; }

    /// <summary>Decoding threads.</summary>
    public int Workers { get; }

    /// <summary>Batches prepared ahead, at most.</summary>
    public int QueueBatches { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (Count + BatchSize - 1) / BatchSize;

    /// <summary>Files that could not be read so far, and why.</summary>
    public IReadOnlyList<SkippedImage> Skipped => _skipped.Values.OrderBy(s => s.Path, StringComparer.Ordinal).ToArray();

    /// <summary>Time the consumer (the training loop) spent waiting for the next batch, over every pass so far: how much of a step waits for data.</summary>
    public TimeSpan ConsumerWait => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    /// <summary>The most batches that were prepared or being prepared, and not yet handed out, at one time.</summary>
    internal int PeakHeldBatches => Volatile.Read(ref _peakHeld);

    /// <summary>Workers waiting for room in the queue now.</summary>
    internal int BlockedWorkers => Volatile.Read(ref _blockedWorkers);

    /// <summary>The label of file <paramref name="index"/>.</summary>
    public int LabelAt(int index) => _files[index].Label;

    /// <summary>The images in their stored order.</summary>
    public int[] SequentialOrder() => EpochOrder.Sequential(Count);

    /// <summary>The shuffled order of epoch <paramref name="epoch"/>, a function of the seed and the epoch only (as <see cref="BatchLoader.ShuffledOrder"/>).</summary>
    public int[] ShuffledOrder(int epoch) => EpochOrder.Shuffled(Count, Seed, epoch);

    /// <summary>Yields the batches of one pass over <paramref name="order"/> in order, prepared by <see cref="Workers"/> threads.</summary>
    public IEnumerable<HostBatch> Batches(int[] order, int epoch, CancellationToken cancellationToken = default)
    {
        EpochOrder.Check(order, Count);

        return Produce(order, epoch, cancellationToken);
    }

    private IEnumerable<HostBatch> Produce(int[] order, int epoch, CancellationToken cancellationToken)
    {
        var batchCount = (order.Length + BatchSize - 1) / BatchSize;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var room = new SemaphoreSlim(QueueBatches);
        var ready = new Dictionary<int, HostBatch>();
        var gate = new object();
        var next = -1;
        Exception? failure = null;

        void Work()
        {
            try
            {
                while (true)
                {
                    Interlocked.Increment(ref _blockedWorkers);
                    try
                    {
                        room.Wait(stop.Token);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _blockedWorkers);
                    }

                    var b = Interlocked.Increment(ref next);
                    if (b >= batchCount)
                    {
                        room.Release();
                        return;
                    }

                    var held = Interlocked.Increment(ref _held);
                    InterlockedMax(ref _peakHeld, held);
                    var batch = Prepare(order, epoch, b, stop.Token);
                    lock (gate)
                    {
                        ready[b] = batch;
                        Monitor.PulseAll(gate);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The consumer stopped early; nothing to report.
            }
            catch (Exception e)
            {
                lock (gate)
                {
                    failure ??= e;
                    Monitor.PulseAll(gate);
                }
            }
        }

        var workers = Enumerable.Range(0, Math.Min(Workers, batchCount)).Select(_ => Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning)).ToArray();
        using var wake = cancellationToken.Register(() =>
        {
            lock (gate)
            {
                Monitor.PulseAll(gate);
            }
        });
        try
        {
            for (var b = 0; b < batchCount; b++)
            {
                HostBatch batch;
                var waitStart = Stopwatch.GetTimestamp();
                lock (gate)
                {
                    while (!ready.ContainsKey(b) && failure is null)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        Monitor.Wait(gate);
                    }

                    if (!ready.Remove(b, out batch!))
                    {
                        throw new InvalidOperationException($"Preparing a batch failed: {failure!.Message}", failure);
                    }
                }

                Interlocked.Add(ref _waitTicks, Stopwatch.GetElapsedTime(waitStart).Ticks);
                Interlocked.Decrement(ref _held);
                room.Release();
                if (batch.Count > 0)
                {
                    // A batch whose files were all unreadable is left out.
                    yield return batch;
                }
            }
        }
        finally
        {
            stop.Cancel();
            Task.WaitAll(workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)).ToArray());
            Interlocked.Exchange(ref _held, 0);
        }
    }

    /// <summary>Batch <paramref name="batchIndex"/> of a pass over <paramref name="order"/>; deterministic in (seed, epoch, position).</summary>
    private HostBatch Prepare(int[] order, int epoch, int batchIndex, CancellationToken cancellationToken)
    {
        var start = batchIndex * BatchSize;
        var count = Math.Min(BatchSize, order.Length - start);
        var (channels, side) = (Reader.Channels, Reader.Side);
        var size = channels * side * side;
        var pixels = new float[count * size];
        var labels = new List<long>(count);
        var image = new float[size];
        foreach (var position in Enumerable.Range(start, count))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (path, label) = _files[order[position]];
            var random = new Random(SeedMixer.Mix(Seed, epoch, position));
            try
            {
                Reader.Read(path, random, image);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or OutOfMemoryException)
            {
                _skipped.TryAdd(path, new SkippedImage(path, e.Message));
                continue;
            }

            Erasing?.Apply(image, channels, side, side, random);
            image.CopyTo(pixels, labels.Count * size);
            labels.Add(label);
        }

        return new HostBatch(labels.Count == count ? pixels : pixels[..(labels.Count * size)], labels.ToArray(), channels, side, side);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
