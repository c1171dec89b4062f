namespace ConvMixerNet.Training;

/// <summary>Loss, accuracy and confusion matrix of a model on a labelled data set.</summary>
public sealed class EvaluationResult
{
    internal EvaluationResult(double loss, long[,] confusion, IReadOnlyList<string> classNames)
    {
        Loss = loss;
        ConfusionMatrix = confusion;
        ClassNames = classNames;
        for (var i = 0; i < classNames.Count; i++)
        {
            Correct += confusion[i, i];
            for (var j = 0; j < classNames.Count; j++)
            {
                Count += confusion[i, j];
            }
        }
    }

    /// <summary>Mean cross-entropy (no label smoothing).</summary>
    public double Loss { get; }

    /// <summary>Images evaluated.</summary>
    public long Count { get; }

    /// <summary>Images whose top-1 prediction equals the label.</summary>
    public long Correct { get; }

    /// <summary>Top-1 accuracy in [0, 1].</summary>
    public double Accuracy => Count == 0 ? 0 : Correct / (double)Count;

    /// <summary>Counts indexed <c>[true class, predicted class]</c>.</summary>
    public long[,] ConfusionMatrix { get; }

    /// <summary>Class names, in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Recall of class <paramref name="label"/>: the fraction of its images predicted as it.</summary>
    public double ClassAccuracy(int label)
    {
        long total = 0;
        for (var j = 0; j < ClassNames.Count; j++)
        {
            total += ConfusionMatrix[label, j];
        }

        return total == 0 ? 0 : ConfusionMatrix[label, label] / (double)total;
    }
}
