namespace ConvMixerNet.Training;

/// <summary>
/// An image folder whose samples are read and augmented by an <see cref="ITrainingImageReader"/> on background workers
/// (<see cref="StreamingBatchLoader"/>) instead of being held as pixels: the <see cref="Trainer"/> trains on it like on
/// any <see cref="ImageDataset"/>, with batches that depend on the seed and epoch only (not on the worker count).
/// Whether the reader keeps decoded images in memory or decodes them for every sample is the reader's business.
/// </summary>
public sealed class StreamingImageDataset : ImageDataset
{
    private readonly (string Path, int Label)[] _files;
    private StreamingBatchLoader? _loader;

    /// <summary>Creates the data set.</summary>
    /// <param name="files">Image files and their labels (for example from <see cref="StreamingImageFolder.List"/>).</param>
    /// <param name="classNames">Class names, indexed by label.</param>
    /// <param name="reader">Decodes and transforms one image (thread-safe).</param>
    /// <param name="workers">Decoding threads; 0 takes the processor count.</param>
    public StreamingImageDataset(IReadOnlyList<(string Path, int Label)> files, IReadOnlyList<string> classNames, ITrainingImageReader reader, int workers = 0)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        _files = files.ToArray();
        ClassNames = classNames;
        Reader = reader;
        Workers = workers == 0 ? Environment.ProcessorCount : workers;
    }

    /// <inheritdoc />
    public override int Count => _files.Length;

    /// <inheritdoc />
    public override int Channels => Reader.Channels;

    /// <inheritdoc />
    public override int Height => Reader.Side;

    /// <inheritdoc />
    public override int Width => Reader.Side;

    /// <inheritdoc />
    public override IReadOnlyList<string> ClassNames { get; }

    /// <summary>Reads and transforms the images.</summary>
    public ITrainingImageReader Reader { get; }

    /// <summary>Decoding threads.</summary>
    public int Workers { get; }

    /// <summary>Files that could not be read by the last loader, and why.</summary>
    public IReadOnlyList<SkippedImage> Skipped => _loader?.Skipped ?? [];

    /// <summary>Time the last loader's consumer waited for batches (see <see cref="StreamingBatchLoader.ConsumerWait"/>).</summary>
    public TimeSpan DataWait => _loader?.ConsumerWait ?? TimeSpan.Zero;

    /// <inheritdoc />
    public override int LabelAt(int index) => _files[index].Label;

    /// <summary>Not available: the samples are random transforms of files, made by the loader.</summary>
    public override void CopyPixels(int index, Span<float> destination) =>
        throw new NotSupportedException("A streaming image folder's samples are made by its loader; read them in batches.");

    /// <summary>The loader the trainer draws batches from; the queue holds as many batches as there are workers (at least two).</summary>
    internal StreamingBatchLoader CreateLoader(int batchSize, long seed) =>
        _loader = new StreamingBatchLoader(_files, ClassNames, Reader, batchSize, seed, erasing: null, Workers, queueBatches: Math.Max(2, Workers));
}
