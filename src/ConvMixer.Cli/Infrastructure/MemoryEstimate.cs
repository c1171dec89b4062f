using System.Globalization;

namespace ConvMixerNet.Cli;

/// <summary>
/// Rough memory needs of a ConvMixer run (inference here; training: Training's <see cref="TrainingMemory"/>), checked before libtorch is asked for the memory, so an impossible size is a
/// one-line usage error naming the options instead of an allocation failure from deep inside libtorch.
/// </summary>
internal static class MemoryEstimate
{
    /// <summary>Forward pass without autograd: the input and a few activations of batch × dim × tokens alive at once.</summary>
    public static long? Inference(ConvMixerConfig config, long batch, long side, long bytesPerValue = 4) => Checked(() =>
    {
        var tokens = checked((side / config.PatchSize) * (side / config.PatchSize));
        return checked(((batch * config.InChannels * side * side) + (4 * batch * config.Dim * tokens) + config.ParameterCount) * bytesPerValue);
    });

    /// <summary>Throws a <see cref="UsageException"/> when <paramref name="bytes"/> (null: beyond 64 bits) exceeds the machine's memory.</summary>
    public static void Require(long? bytes, string what, string options)
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && (bytes is null || bytes > available))
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{what} needs {(bytes is { } b ? $"about {Format(b)}" : "more memory than can be counted")}, more than the {Format(available)} of memory available; choose smaller {options}."));
        }
    }

    private static string Format(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB");

    private static long? Checked(Func<long> estimate)
    {
        try
        {
            return estimate();
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
