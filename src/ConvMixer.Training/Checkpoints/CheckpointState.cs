namespace ConvMixerNet.Training;

/// <summary>The non-tensor part of a training checkpoint: where the run stands and how to continue it.</summary>
public sealed record CheckpointState
{
    /// <summary>The architecture, so the model can be rebuilt without other input.</summary>
    public required ConvMixerConfig ModelConfig { get; init; }

    /// <summary>Class names in label order.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>The options of the run.</summary>
    public required TrainerOptions Options { get; init; }

    /// <summary>Epochs finished when the checkpoint was written.</summary>
    public required int CompletedEpochs { get; init; }

    /// <summary>Optimizer steps taken, the schedule's position.</summary>
    public required long GlobalStep { get; init; }

    /// <summary>Metrics of the finished epochs.</summary>
    public required IReadOnlyList<EpochMetrics> History { get; init; }

    /// <summary>The order in which the next epoch visits the training images.</summary>
    public required int[] NextEpochOrder { get; init; }

    /// <summary>Torch's default CPU generator state (dropout and other random ops).</summary>
    public required byte[] RandomState { get; init; }
}
