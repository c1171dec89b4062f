namespace ConvMixerNet.Core;

/// <summary>The hyperparameters that define a ConvMixer architecture ("ConvMixer-<see cref="Dim"/>/<see cref="Depth"/>").</summary>
/// <param name="Dim">Width: channels of every patch vector (h in the paper).</param>
/// <param name="Depth">Number of <see cref="ConvMixerLayer"/>s.</param>
/// <param name="KernelSize">Side of the depthwise kernel.</param>
/// <param name="PatchSize">Side (and stride) of the patch-embedding convolution.</param>
/// <param name="NumClasses">Classifier outputs; 0 for no classifier (forward returns pooled features).</param>
/// <param name="InChannels">Channels of the input images.</param>
/// <param name="Activation">Nonlinearity after every convolution.</param>
/// <param name="ResidualPlacement">Where the skip connection of each layer sits.</param>
public sealed record ConvMixerConfig(
    int Dim,
    int Depth,
    int KernelSize = 9,
    int PatchSize = 7,
    int NumClasses = 1000,
    int InChannels = 3,
    Activation Activation = Activation.Gelu,
    ResidualPlacement ResidualPlacement = ResidualPlacement.AroundSpatialMixing)
{
    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first nonsensical value.</summary>
    public void Validate()
    {
        Positive(Dim, nameof(Dim));
        Positive(Depth, nameof(Depth));
        Positive(KernelSize, nameof(KernelSize));
        Positive(PatchSize, nameof(PatchSize));
        Positive(InChannels, nameof(InChannels));
        if (NumClasses < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, "NumClasses must be 0 (no classifier) or positive.");
        }

        if (!Enum.IsDefined(Activation))
        {
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "Unknown activation.");
        }

        if (!Enum.IsDefined(ResidualPlacement))
        {
            throw new ArgumentOutOfRangeException(nameof(ResidualPlacement), ResidualPlacement, "Unknown residual placement.");
        }
    }

    /// <summary>Number of trainable parameters of this architecture, computed without building it.</summary>
    public long ParameterCount
    {
        get
        {
            long d = Dim;
            var stem = (InChannels * PatchSize * PatchSize * d) + d + (2 * d);
            var layer = (d * KernelSize * KernelSize) + d + (2 * d) + (d * d) + d + (2 * d);
            var head = NumClasses > 0 ? (d * NumClasses) + NumClasses : 0;
            return stem + (Depth * layer) + head;
        }
    }

    /// <summary>
    /// Multiply-accumulate operations of one forward pass on a <paramref name="height"/>×<paramref name="width"/> image,
    /// counted the usual way: every convolution and the classifier contribute output elements × inputs per output;
    /// activations, BatchNorm, residual additions and pooling are not counted (under 1%). FLOPs are twice this.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A side is not positive, or the count does not fit in 64 bits.</exception>
    public long MultiplyAccumulates(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        try
        {
            checked
            {
                long tokens = (long)(height / PatchSize) * (width / PatchSize);
                long dim = Dim;
                var stem = tokens * dim * InChannels * PatchSize * PatchSize;
                var depthwise = tokens * dim * KernelSize * KernelSize;
                var pointwise = tokens * dim * dim;
                var head = dim * NumClasses;
                return stem + (Depth * (depthwise + pointwise)) + head;
            }
        }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(nameof(height), $"A {height}x{width} input has more multiply-accumulates than a 64-bit count holds.");
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"ConvMixer-{Dim}/{Depth} (kernel {KernelSize}, patch {PatchSize}, {Activation}, {NumClasses} classes, {InChannels} input channels)";

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }
}
