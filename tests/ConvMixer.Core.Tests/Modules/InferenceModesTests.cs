using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// The fast inference settings that docs/BENCHMARKS.md recommends give the reference outputs: inference mode,
/// channels-last inputs, and bfloat16 weights and inputs (within bfloat16's precision).
/// </summary>
public class InferenceModesTests
{
    [Theory]
    [InlineData("caseA")]
    [InlineData("caseC")]
    public void Inference_mode_gives_the_reference_logits(string caseName)
    {
        var golden = GoldenCase.Load(caseName);
        using var model = golden.BuildModel();
        using var input = golden.Input;
        using var expected = golden.Logits;
        using var mode = torch.inference_mode();

        using var logits = model.forward(input);

        logits.ShouldBeClose(expected);
    }

    [Fact]
    public void Channels_last_input_gives_the_reference_logits()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = golden.BuildModel();
        using var input = golden.Input;
        using var expected = golden.Logits;
        // Same values, NHWC strides: what torch's channels_last memory format produces.
        using var channelsLast = input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        channelsLast.is_contiguous().Should().BeFalse();
        using var mode = torch.inference_mode();

        using var logits = model.forward(channelsLast);

        logits.ShouldBeClose(expected);
    }

    [Theory]
    [InlineData("caseA")]
    [InlineData("caseC")]
    public void Bfloat16_model_gives_the_reference_logits_within_bfloat16_precision(string caseName)
    {
        var golden = GoldenCase.Load(caseName);
        using var model = golden.BuildModel();
        model.to(ScalarType.BFloat16);
        using var input = golden.Input;
        using var input16 = input.to(ScalarType.BFloat16);
        using var expected = golden.Logits;
        using var mode = torch.inference_mode();

        using var logits16 = model.forward(input16);
        using var logits = logits16.to(ScalarType.Float32);

        logits16.dtype.Should().Be(ScalarType.BFloat16);
        // bfloat16 keeps 8 significant bits (relative step 2^-8 ≈ 0.4%); the errors of a few layers add up to a few
        // steps of the largest logit: measured 0.020 (caseA, largest |logit| 5.18) and 0.0076 (caseC, 2.67). The bound
        // of BFloat16AgreementTests (Vision); a BatchNorm epsilon of 1e-2 fails it. Smaller bugs (a tanh GELU moves
        // these logits by 4.5e-4) hide in bfloat16's own error; the float32 tests above catch them.
        using var scale = expected.abs().max();
        using var difference = (logits - expected).abs();
        difference.max().item<float>().Should().BeLessThan(0.015f * scale.item<float>(), $"{caseName}: the largest |logit| is {scale.item<float>()}");
        using var top = logits.argmax(1);
        using var expectedTop = expected.argmax(1);
        top.data<long>().ToArray().Should().Equal(expectedTop.data<long>().ToArray());
    }

    [Fact]
    public void Float32_input_to_a_bfloat16_model_is_rejected_with_a_clear_message()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = golden.BuildModel();
        model.to(ScalarType.BFloat16);
        using var input = golden.Input;

        var act = () => model.forward(input);

        act.Should().Throw<ArgumentException>().WithMessage("*BFloat16*Float32*");
    }
}
