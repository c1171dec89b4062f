namespace ConvMixerNet.Training;

/// <summary>
/// The order in which a loader visits a data set's images: stored, or shuffled as a function of the seed and the
/// epoch only (so a resumed run sees the same order). One home for the in-memory and the streaming loaders.
/// </summary>
internal static class EpochOrder
{
    public static int[] Sequential(int count) => Enumerable.Range(0, count).ToArray();

    public static int[] Shuffled(int count, long seed, int epoch)
    {
        var order = Sequential(count);
        new Random(SeedMixer.Mix(seed, epoch, -1)).Shuffle(order);
        return order;
    }

    /// <exception cref="ArgumentException">The order names an image outside the data set.</exception>
    public static void Check(int[] order, int count)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Any(i => i < 0 || i >= count))
        {
            throw new ArgumentException($"The order refers to images outside [0, {count - 1}].", nameof(order));
        }
    }
}
