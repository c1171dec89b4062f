namespace ConvMixerNet.Server.Tests;

/// <summary>The real model, whose batches wait at a <see cref="WorkerGate"/>.</summary>
internal sealed class GatedModel(IClassificationModel model, WorkerGate gate) : IClassificationModel
{
    public string Name => model.Name;

    public int ClassCount => model.ClassCount;

    public ModelDescription Description => model.Description;

    public RgbImage Decode(byte[] data) => model.Decode(data);

    public IReadOnlyList<IReadOnlyList<Prediction>> Classify(IReadOnlyList<RgbImage> images, int topK)
    {
        gate.Pass();
        return model.Classify(images, topK);
    }

    public void Dispose() => model.Dispose();
}
