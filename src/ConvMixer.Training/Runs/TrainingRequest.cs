namespace ConvMixerNet.Training;

/// <summary>
/// What a training run is asked to do, as <c>convmixer train</c> takes it: data, output folder, whether to resume or
/// replace a previous run, the architecture (or starting weights) of a new model and the trainer's options. Options are
/// named as on the command line (<see cref="ResumeCompatibility.Rules"/>); <see cref="Given"/> says which were chosen
/// explicitly, which a resumed run must honour or refuse.
/// </summary>
public sealed record TrainingRequest
{
    /// <summary>An MNIST-layout IDX directory or an image folder (one sub-folder per class, optionally under train/ and val/).</summary>
    public required string Data { get; init; }

    /// <summary>Validation data instead of the one found next to <see cref="Data"/>.</summary>
    public string? Validation { get; init; }

    /// <summary>The run folder.</summary>
    public required string Output { get; init; }

    /// <summary>Continue the run in <see cref="Output"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>Replace the files of a previous run in <see cref="Output"/>.</summary>
    public bool Force { get; init; }

    /// <summary>Names of the options chosen explicitly (not defaulted), to tell what a resume is asked to change.</summary>
    public IReadOnlySet<string> Given { get; init; } = new HashSet<string>();

    /// <summary>The name of the recipe the values come from; its values are already resolved into the other properties.</summary>
    public string? Recipe { get; init; }

    /// <summary>An architecture preset of ConvMixerNet.Core (<see cref="ConvMixerPresets"/>).</summary>
    public string? Preset { get; init; }

    /// <summary>Width of a new model without a preset.</summary>
    public int Dim { get; init; }

    /// <summary>Layers of a new model without a preset.</summary>
    public int Depth { get; init; }

    /// <summary>Depthwise kernel size of a new model without a preset.</summary>
    public int Kernel { get; init; }

    /// <summary>Patch size of a new model without a preset.</summary>
    public int Patch { get; init; }

    /// <summary>The nonlinearity of a new model; null keeps the preset's or GELU.</summary>
    public Activation? Activation { get; init; }

    /// <summary>Weights to fine-tune from instead of a new model.</summary>
    public string? Pretrained { get; init; }

    /// <summary>Side of the square images made from an image folder.</summary>
    public int ImageSize { get; init; }

    /// <summary>Use only the first N training images.</summary>
    public int? Limit { get; init; }

    /// <summary>Class names of IDX data, in label order.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The trainer's options.</summary>
    public required TrainerOptions Options { get; init; }
}
