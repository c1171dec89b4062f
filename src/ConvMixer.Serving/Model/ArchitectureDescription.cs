namespace ConvMixerNet.Serving;

/// <summary>The ConvMixer hyperparameters, as GET /v1/model reports them.</summary>
public sealed record ArchitectureDescription(
    string Name, int Dim, int Depth, int KernelSize, int PatchSize, int NumClasses, int InChannels, Activation Activation, long ParameterCount)
{
    /// <summary>The description of <paramref name="config"/>.</summary>
    public static ArchitectureDescription Of(ConvMixerConfig config) => new(
        $"ConvMixer-{config.Dim}/{config.Depth}", config.Dim, config.Depth, config.KernelSize, config.PatchSize, config.NumClasses,
        config.InChannels, config.Activation, config.ParameterCount);
}
