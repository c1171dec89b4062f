namespace ConvMixerNet.Training;

/// <summary>
/// Derives independent, reproducible seeds from a run seed and a position (epoch, batch), so shuffling and
/// augmentation do not depend on thread timing and a resumed run draws exactly what an uninterrupted one would.
/// </summary>
internal static class SeedMixer
{
    public static int Mix(long seed, long a, long b = 0)
    {
        var x = SplitMix((ulong)seed ^ SplitMix((ulong)a ^ SplitMix((ulong)b)));
        return (int)(x >> 33);
    }

    // SplitMix64's finaliser: a bijective mixing function with good avalanche.
    private static ulong SplitMix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
