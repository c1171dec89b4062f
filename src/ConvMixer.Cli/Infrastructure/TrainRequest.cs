namespace ConvMixerNet.Cli;

/// <summary>What <c>convmixer train</c> was asked to do: data, output, architecture or starting weights, and the trainer's options.</summary>
internal sealed record TrainRequest
{
    public required string Data { get; init; }

    public string? Validation { get; init; }

    public required string Output { get; init; }

    public bool Resume { get; init; }

    public string? Preset { get; init; }

    public int Dim { get; init; }

    public int Depth { get; init; }

    public int Kernel { get; init; }

    public int Patch { get; init; }

    public string? Pretrained { get; init; }

    public int ImageSize { get; init; }

    public int? Threads { get; init; }

    public int? Limit { get; init; }

    /// <summary>Class names of IDX data, from <c>--class-names</c>.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    public required TrainerOptions Options { get; init; }
}
