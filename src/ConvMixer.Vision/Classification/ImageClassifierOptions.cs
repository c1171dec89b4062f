using static TorchSharp.torch;

namespace ConvMixerNet.Vision;

/// <summary>How an <see cref="ImageClassifier"/> preprocesses, computes and names its results.</summary>
public sealed record ImageClassifierOptions
{
    /// <summary>
    /// Preprocessing; by default the model's own (<see cref="ConvMixer.Pretrained"/>), else the published models'
    /// evaluation settings (see <see cref="ImageClassifier.AssumedDefaults"/>).
    /// </summary>
    public DataConfig? DataConfig { get; init; }

    /// <summary>Single settings that replace those of the preprocessing chosen above (the tool's <c>--input-size</c> and friends).</summary>
    public DataConfigOverrides Overrides { get; init; } = DataConfigOverrides.None;

    /// <summary>Class names; by default the model's own, else ImageNet-1k for 1000-class models and "class i" otherwise.</summary>
    public ClassLabels? Labels { get; init; }

    /// <summary>The model's floating-point type during inference (default float32).</summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Float32;

    /// <summary>Where the model runs (default: the CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>Images per forward pass in <see cref="ImageClassifier.ClassifyMany"/>; bounds the memory a batch takes.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Images decoded at once within a batch (default: the processor count).</summary>
    public int DecodeParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Turn photos upright according to their EXIF orientation tag (timm's loader does not).</summary>
    public bool ApplyExifOrientation { get; init; } = true;
}
