namespace ConvMixerNet.Cli;

/// <summary>What <c>convmixer train</c> was asked to do: data, output, architecture or starting weights, and the trainer's options.</summary>
internal sealed record TrainRequest
{
    public required string Data { get; init; }

    public string? Validation { get; init; }

    public required string Output { get; init; }

    public bool Resume { get; init; }

    /// <summary>Replace the files of a previous run in <see cref="Output"/> (<c>--force</c>).</summary>
    public bool Force { get; init; }

    /// <summary>Names of the options typed on the command line (not defaulted), to tell what a resume is asked to change.</summary>
    public IReadOnlySet<string> Given { get; init; } = new HashSet<string>();

    /// <summary>The name of the recipe chosen with <c>--recipe</c>; its values are already resolved into the other properties.</summary>
    public string? Recipe { get; init; }

    public string? Preset { get; init; }

    public int Dim { get; init; }

    public int Depth { get; init; }

    public int Kernel { get; init; }

    public int Patch { get; init; }

    /// <summary>The nonlinearity of a new model (<c>--activation</c>); null keeps the preset's or GELU.</summary>
    public Activation? Activation { get; init; }

    public string? Pretrained { get; init; }

    public int ImageSize { get; init; }

    public int? Threads { get; init; }

    public int? Limit { get; init; }

    /// <summary>Class names of IDX data, from <c>--class-names</c>.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    public required TrainerOptions Options { get; init; }
}
