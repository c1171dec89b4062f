namespace ConvMixerNet.Server.Tests;

/// <summary>Loads the real model behind a <see cref="WorkerGate"/> (and an <see cref="AnswerGate"/>, if given).</summary>
internal sealed class GatedModelLoader(IClassificationModelLoader inner, WorkerGate gate, AnswerGate? answers) : IClassificationModelLoader
{
    public IClassificationModel Load()
    {
        gate.PassLoading();
        return new GatedModel(inner.Load(), gate, answers);
    }
}
