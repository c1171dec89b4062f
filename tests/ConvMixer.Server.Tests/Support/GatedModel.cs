namespace ConvMixerNet.Server.Tests;

/// <summary>The real model, whose batches wait at a <see cref="WorkerGate"/>; with an <see cref="AnswerGate"/>, whose answers hold their readers.</summary>
internal sealed class GatedModel(IClassificationModel model, WorkerGate gate, AnswerGate? answers) : IClassificationModel
{
    public string Name => model.Name;

    public int ClassCount => model.ClassCount;

    public ModelDescription Description => model.Description;

    public string Platform => model.Platform;

    public RgbImage Decode(byte[] data) => model.Decode(data);

    public float[] Preprocess(RgbImage image) => model.Preprocess(image);

    public float[] Logits(float[] batch, int count)
    {
        gate.Pass(count);
        return model.Logits(batch, count);
    }

    public IReadOnlyList<IReadOnlyList<Prediction>> Classify(IReadOnlyList<RgbImage> images, int topK)
    {
        gate.Pass(images.Count);
        var predictions = model.Classify(images, topK);
        return answers is null ? predictions : [.. predictions.Select(answers.Hold)];
    }

    public void Dispose()
    {
        model.Dispose();
        gate.Released();
    }
}
