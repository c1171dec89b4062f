using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Onnx.Tests;

/// <summary>The session settings reach ONNX Runtime: optimisation level, profiling.</summary>
public class RuntimeOptionsTests
{
    private static readonly ConvMixerConfig Small = new(8, 1, 3, 4, 5);

    [Theory]
    [InlineData(OnnxOptimizationLevel.None)]
    [InlineData(OnnxOptimizationLevel.Basic)]
    [InlineData(OnnxOptimizationLevel.Extended)]
    public void Every_optimisation_level_gives_the_same_logits(OnnxOptimizationLevel level)
    {
        using var exported = new ExportedModel(Small);
        var batch = TestModels.Batch(2, 3, 12, 12);
        using var onnx = OnnxConvMixer.Load(exported.Path, new OnnxRuntimeOptions { OptimizationLevel = level, IntraOpThreads = 1, AllowSpinning = false });

        onnx.ComputeLogits(batch, [2, 3, 12, 12]).ShouldBeCloseTo(TestModels.TorchLogits(exported.Model, batch, [2, 3, 12, 12]));
    }

    [Fact]
    public void Profiling_writes_a_file_when_it_ends()
    {
        using var exported = new ExportedModel(Small);
        using var onnx = OnnxConvMixer.Load(exported.Path, new OnnxRuntimeOptions { ProfilingFilePrefix = exported.File("profile") });
        onnx.ComputeLogits(TestModels.Batch(1, 3, 8, 8), [1, 3, 8, 8]);

        var profile = onnx.EndProfiling();

        File.Exists(profile).Should().BeTrue();
        Path.GetFileName(profile).Should().StartWith("profile");
        File.ReadAllText(profile!).Should().Contain("kernel_time");
        onnx.EndProfiling().Should().BeNull("profiling already ended");
    }
}
