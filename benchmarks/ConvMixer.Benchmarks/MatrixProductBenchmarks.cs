using BenchmarkDotNet.Attributes;

namespace ConvMixerNet.Benchmarks;

/// <summary>A 4096×4096 matrix product: the machine's attainable dense rate, the roof the models are compared with.</summary>
[Config(typeof(ShortMacroConfig))]
public class MatrixProductBenchmarks
{
    private CaseRunner? _runner;

    [Params("fp32", "bf16")]
    public string DType { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _runner = new CaseRunner(BenchmarkCase.Parse($"mm:4096:{DType}"));

    [Benchmark]
    public void MatrixProduct() => _runner!.RunOnce();

    [GlobalCleanup]
    public void Cleanup() => _runner?.Dispose();
}
