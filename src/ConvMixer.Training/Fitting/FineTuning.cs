using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>Starting points for fine-tuning: a pretrained ConvMixer with a fresh classifier for the new classes.</summary>
public static class FineTuning
{
    /// <summary>
    /// Loads anything <see cref="ConvMixer.FromCheckpoint"/> reads (a model folder, timm <c>.safetensors</c>, PyTorch
    /// <c>.pth</c>, TorchSharp, a training checkpoint of this library), and
    /// replaces the classifier with a new one for <paramref name="numClasses"/> outputs when the count differs
    /// (<see cref="ConvMixer.ResetClassifier"/>). The model is returned in training mode.
    /// </summary>
    public static ConvMixer LoadPretrained(string path, int numClasses, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        var model = ConvMixer.FromCheckpoint(path, new CheckpointLoadOptions { NumClasses = numClasses, Device = device });
        if (model.NumClasses != numClasses)
        {
            model.ResetClassifier(numClasses);
        }

        model.train();
        return model;
    }
}
