namespace ConvMixerNet.Vision;

/// <summary>
/// What <see cref="IFeatureMapModel.FeatureMaps"/> returns for a batch: the logits, the last ConvMixer layer's output
/// (timm's <c>blocks[-1]</c>, after its last BatchNorm) and, when asked, the gradient of one class logit per image with
/// respect to it. All row-major float32 on the CPU.
/// </summary>
public sealed class FeatureMapBatch
{
    /// <summary>Checks that the arrays have the sizes the dimensions give.</summary>
    /// <exception cref="ArgumentException">An array's length does not fit.</exception>
    public FeatureMapBatch(int count, int numClasses, int channels, int rows, int columns, float[] logits, float[] activations, float[]? gradients = null, int[]? gradientClasses = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(activations);
        Check(logits.LongLength, (long)count * numClasses, nameof(logits));
        var mapValues = (long)count * channels * rows * columns;
        Check(activations.LongLength, mapValues, nameof(activations));
        if ((gradients is null) != (gradientClasses is null))
        {
            throw new ArgumentException("Gradients and the classes they belong to come together.", nameof(gradientClasses));
        }

        if (gradients is not null)
        {
            Check(gradients.LongLength, mapValues, nameof(gradients));
            Check(gradientClasses!.LongLength, count, nameof(gradientClasses));
        }

        Count = count;
        NumClasses = numClasses;
        Channels = channels;
        Rows = rows;
        Columns = columns;
        Logits = logits;
        Activations = activations;
        Gradients = gradients;
        GradientClasses = gradientClasses;
    }

    /// <summary>Images in the batch.</summary>
    public int Count { get; }

    /// <summary>Logits per image.</summary>
    public int NumClasses { get; }

    /// <summary>Channels of the feature map (the model's <c>dim</c>).</summary>
    public int Channels { get; }

    /// <summary>Rows of the feature map (the patch grid's height).</summary>
    public int Rows { get; }

    /// <summary>Columns of the feature map (the patch grid's width).</summary>
    public int Columns { get; }

    /// <summary>The logits, <c>[Count, NumClasses]</c>.</summary>
    public float[] Logits { get; }

    /// <summary>The last layer's output, <c>[Count, Channels, Rows, Columns]</c>.</summary>
    public float[] Activations { get; }

    /// <summary>d logit[<see cref="GradientClasses"/>[n]] / d <see cref="Activations"/>, same layout; null when not asked.</summary>
    public float[]? Gradients { get; }

    /// <summary>The class each image's gradient belongs to; null when no gradients were asked.</summary>
    public int[]? GradientClasses { get; }

    private static void Check(long actual, long expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} values, got {actual}.", name);
        }
    }
}
