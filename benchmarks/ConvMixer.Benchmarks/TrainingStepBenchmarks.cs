using BenchmarkDotNet.Attributes;

namespace ConvMixerNet.Benchmarks;

/// <summary>One SGD training step (forward, cross-entropy, backward, update) of ConvMixer-256/8 (k5, p2) on 32×32 images.</summary>
[Config(typeof(ShortMacroConfig))]
public class TrainingStepBenchmarks
{
    private CaseRunner? _runner;

    [Params(64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup() => _runner = new CaseRunner(BenchmarkCase.Parse($"train:convmixer_256_8_ks5_p2_cifar10:{Batch}"));

    [Benchmark]
    public void TrainingStep() => _runner!.RunOnce();

    [GlobalCleanup]
    public void Cleanup() => _runner?.Dispose();
}
