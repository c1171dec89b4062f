namespace ConvMixerNet.Cli;

/// <summary>
/// Multiply-accumulate operations of one forward pass, counted the usual way:
/// every convolution and linear layer contributes output elements × inputs per output; activations,
/// BatchNorm, residual additions and pooling are not counted.
/// </summary>
internal static class ModelComplexity
{
    public static long MultiplyAccumulates(ConvMixerConfig config, int height, int width)
    {
        long tokens = (long)(height / config.PatchSize) * (width / config.PatchSize);
        long dim = config.Dim;
        var stem = tokens * dim * config.InChannels * config.PatchSize * config.PatchSize;
        var depthwise = tokens * dim * config.KernelSize * config.KernelSize;
        var pointwise = tokens * dim * dim;
        var head = dim * config.NumClasses;
        return stem + (config.Depth * (depthwise + pointwise)) + head;
    }
}
