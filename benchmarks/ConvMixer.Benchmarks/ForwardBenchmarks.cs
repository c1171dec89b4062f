using BenchmarkDotNet.Attributes;

namespace ConvMixerNet.Benchmarks;

/// <summary>Inference forward of the ImageNet ConvMixers at 224×224 (eval, inference mode), float32 and bfloat16.</summary>
[Config(typeof(ShortMacroConfig))]
public class ForwardBenchmarks
{
    private CaseRunner? _runner;

    /// <summary>All three models, or the comma-separated list in CONVMIXER_BENCH_MODELS (to keep a run short).</summary>
    public static IEnumerable<string> Models =>
        Environment.GetEnvironmentVariable("CONVMIXER_BENCH_MODELS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        ?? ["convmixer_1536_20", "convmixer_768_32", "convmixer_1024_20_ks9_p14"];

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    [Params(1, 4, 16)]
    public int Batch { get; set; }

    [Params("fp32", "bf16")]
    public string DType { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _runner = new CaseRunner(BenchmarkCase.Parse($"forward:{Model}:{Batch}:{DType}"));

    [Benchmark]
    public void Forward() => _runner!.RunOnce();

    [GlobalCleanup]
    public void Cleanup() => _runner?.Dispose();
}
