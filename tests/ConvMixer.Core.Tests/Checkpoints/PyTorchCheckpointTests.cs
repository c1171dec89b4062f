using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>Files as PyTorch users have them: training checkpoints, half precision, EMA weights.</summary>
public class PyTorchCheckpointTests
{
    [Fact]
    public void A_training_checkpoint_with_DataParallel_official_keys_loads_its_state_dict()
    {
        // {'epoch', 'arch', 'state_dict': module.-prefixed official keys, 'optimizer', 'args': Namespace, 'state_dict_ema', …}
        var golden = GoldenCase.Load("caseF");
        using var model = ConvMixer.FromCheckpoint(CheckpointFixtures.File("training_checkpoint.pth.tar"));
        using var input = golden.Input;
        using var _ = torch.no_grad();

        model.Config.Should().Be(golden.Config);
        using var logits = model.forward(input);
        logits.ShouldBeClose(golden.Logits);
    }

    [Fact]
    public void PreferEma_reads_state_dict_ema_instead()
    {
        var golden = GoldenCase.Load("caseF");
        using var model = ConvMixer.FromCheckpoint(
            CheckpointFixtures.File("training_checkpoint.pth.tar"), new CheckpointLoadOptions { PreferEma = true });
        using var reference = golden.BuildModel();

        // The fixture's EMA weights are case F's halved.
        using var halved = reference.PatchEmbedding.weight! * 0.5;
        model.PatchEmbedding.weight!.Identical(halved).Should().BeTrue();
    }

    [Theory]
    [InlineData("caseA_float16.pth", ScalarType.Float16, 0.05)]
    [InlineData("caseA_bfloat16.pth", ScalarType.BFloat16, 0.3)]
    public void Half_precision_files_written_by_PyTorch_load_into_float32(string file, ScalarType stored, double tolerance)
    {
        var golden = GoldenCase.Load("caseA");
        using var model = ConvMixer.FromCheckpoint(CheckpointFixtures.File(file));
        using var reference = golden.BuildModel();
        using var input = golden.Input;
        using var _ = torch.no_grad();

        model.ShouldHoldTheRoundedValuesOf(reference, stored);
        // Second line: the rounded weights move the logits by at most this much (weights, not arithmetic, are rounded).
        using var logits = model.forward(input);
        logits.ShouldBeClose(golden.Logits, atol: tolerance, rtol: tolerance);
    }

    [Fact]
    public void A_float64_model_can_be_built_from_a_float32_file()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = ConvMixer.FromCheckpoint(golden.PthPath, new CheckpointLoadOptions { DType = ScalarType.Float64 });
        using var input = golden.Input;
        using var input64 = input.to(ScalarType.Float64);
        using var _ = torch.no_grad();

        using var logits = model.forward(input64);
        using var logits32 = logits.to(ScalarType.Float32);
        logits32.ShouldBeClose(golden.Logits);
    }
}
