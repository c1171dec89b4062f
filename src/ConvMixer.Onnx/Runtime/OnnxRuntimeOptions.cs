namespace ConvMixerNet.Onnx;

/// <summary>Settings of the ONNX Runtime session behind an <see cref="OnnxConvMixer"/>.</summary>
public sealed record OnnxRuntimeOptions
{
    /// <summary>The defaults: ONNX Runtime's thread count (one per physical core) and full optimisation.</summary>
    public static OnnxRuntimeOptions Default { get; } = new();

    /// <summary>Threads used inside one run; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Graph rewriting before the first run.</summary>
    public OnnxOptimizationLevel OptimizationLevel { get; init; } = OnnxOptimizationLevel.All;

    /// <summary>
    /// Whether idle worker threads spin waiting for work (ONNX Runtime's default: lower latency for back-to-back
    /// runs, but busy cores between them). Turn off on machines shared with other work.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>When set, ONNX Runtime writes the graph it actually runs (after fusions) to this .onnx file.</summary>
    public string? OptimizedModelPath { get; init; }

    /// <summary>When set, ONNX Runtime records per-node timings to a JSON file whose name starts with this prefix; see <see cref="OnnxConvMixer.EndProfiling"/>.</summary>
    public string? ProfilingFilePrefix { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads, nameof(IntraOpThreads));
        if (!Enum.IsDefined(OptimizationLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(OptimizationLevel), OptimizationLevel, "Unknown optimisation level.");
        }
    }
}
