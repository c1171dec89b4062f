using System.Globalization;

namespace ConvMixerNet.Training;

/// <summary>
/// Training stopped because the loss or the weights stopped being finite numbers (NaN or infinity), typically from a
/// learning rate far too high. Nothing of the diverged epoch is written: the run folder keeps the last good epoch.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the 1-based <paramref name="epoch"/> and <paramref name="batch"/> where it happened.</summary>
    public TrainingDivergedException(string what, int epoch, int batch, double learningRate)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"training diverged: {what} at epoch {epoch}, batch {batch} (learning rate {learningRate:G3}). Lower the learning rate or clip the gradients; the outputs of the last finished epoch are unchanged."))
    {
        Epoch = epoch;
        Batch = batch;
        LearningRate = learningRate;
    }

    /// <summary>The epoch (1-based) that diverged.</summary>
    public int Epoch { get; }

    /// <summary>The batch (1-based) within the epoch.</summary>
    public int Batch { get; }

    /// <summary>The learning rate at that step.</summary>
    public double LearningRate { get; }
}
