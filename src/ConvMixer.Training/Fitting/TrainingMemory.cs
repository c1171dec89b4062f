namespace ConvMixerNet.Training;

/// <summary>
/// Rough memory needs of training a ConvMixer, to check before libtorch is asked for the memory, so an impossible size
/// is a message naming the sizes instead of an allocation failure from deep inside libtorch.
/// </summary>
public static class TrainingMemory
{
    /// <summary>
    /// Bytes for training <paramref name="config"/> with AdamW on batches of <paramref name="batch"/> square images of
    /// <paramref name="side"/> pixels: weights, gradients and two moments, plus the activations autograd keeps (about
    /// six per layer). Null when the count exceeds 64 bits.
    /// </summary>
    public static long? Estimate(ConvMixerConfig config, long batch, long side)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            var tokens = checked((side / config.PatchSize) * (side / config.PatchSize));
            return checked((4 * config.ParameterCount * 4) + (((6L * config.Depth) + 4) * batch * config.Dim * tokens * 4));
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
