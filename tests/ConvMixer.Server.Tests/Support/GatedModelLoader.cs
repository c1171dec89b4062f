namespace ConvMixerNet.Server.Tests;

/// <summary>Loads the real model behind a <see cref="WorkerGate"/>.</summary>
internal sealed class GatedModelLoader(IClassificationModelLoader inner, WorkerGate gate) : IClassificationModelLoader
{
    public IClassificationModel Load() => new GatedModel(inner.Load(), gate);
}
