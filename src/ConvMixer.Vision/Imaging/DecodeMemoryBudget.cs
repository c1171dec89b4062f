namespace ConvMixerNet.Vision;

/// <summary>
/// A process-wide cap on the memory that image decodes in flight may hold (decoded pixels and resize buffers), so
/// parallel decoding of images whose headers declare huge sizes waits instead of exhausting memory. Each decode
/// reserves its estimate before allocating and returns it when done; an estimate above the cap runs alone.
/// </summary>
internal sealed class DecodeMemoryBudget
{
    private readonly object _gate = new();
    private long _available;
    private long _reservedInTotal;

    public DecodeMemoryBudget(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        Capacity = capacityBytes;
        _available = capacityBytes;
    }

    /// <summary>The budget every decode shares: 768 MiB, which keeps a run's peak near 1.5 GB with the model and runtime.</summary>
    public static DecodeMemoryBudget Shared { get; } = new(768L << 20);

    public long Capacity { get; }

    /// <summary>Bytes held by reservations now.</summary>
    public long Reserved
    {
        get
        {
            lock (_gate)
            {
                return Capacity - _available;
            }
        }
    }

    /// <summary>
    /// Bytes ever reserved, summed. Every pixel buffer is reserved before it is allocated, so this shows which
    /// decodes got as far as taking memory (the tests check that crafted headers never do).
    /// </summary>
    public long ReservedInTotal
    {
        get
        {
            lock (_gate)
            {
                return _reservedInTotal;
            }
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> (at most the whole budget) are free and takes them until disposed.</summary>
    public Reservation Reserve(long bytes)
    {
        var amount = Math.Clamp(bytes, 0, Capacity);
        lock (_gate)
        {
            while (_available < amount)
            {
                Monitor.Wait(_gate);
            }

            _available -= amount;
            _reservedInTotal += amount;
        }

        return new Reservation(this, amount);
    }

    private void Release(long amount)
    {
        lock (_gate)
        {
            _available += amount;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Memory taken from the budget; disposing returns it.</summary>
    public sealed class Reservation(DecodeMemoryBudget budget, long amount) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                budget.Release(amount);
            }
        }
    }
}
