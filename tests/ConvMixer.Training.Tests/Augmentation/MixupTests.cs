using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>Mixup/CutMix against timm's <c>Mixup</c> (batch mode) with λ, the choice of CutMix and the box centre fixed.</summary>
public class MixupTests
{
    [Fact]
    public void Mixed_pixels_boxes_and_targets_equal_timms()
    {
        var fixture = AugmentationFixture.Root.GetProperty("mixup");
        var input = AugmentationFixture.Floats(fixture.GetProperty("input"));
        var shape = fixture.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var labels = fixture.GetProperty("labels").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var classes = fixture.GetProperty("classes").GetInt32();
        foreach (var @case in fixture.GetProperty("cases").EnumerateArray())
        {
            var (lambda, useCutmix) = (@case.GetProperty("lam").GetDouble(), @case.GetProperty("use_cutmix").GetBoolean());
            var (cy, cx) = (@case.GetProperty("cy").GetInt32(), @case.GetProperty("cx").GetInt32());
            var mixup = new Mixup(0.8, 1.0, LabelSmoothing: @case.GetProperty("smoothing").GetDouble());
            var batch = new HostBatch((float[])input.Clone(), labels, shape[1], shape[2], shape[3]);
            var targets = mixup.Apply(batch, classes, lambda, useCutmix, cy, cx);

            if (useCutmix)
            {
                var (top, bottom, left, right, corrected) = Mixup.CutmixBox(shape[2], shape[3], lambda, cy, cx);
                new[] { top, bottom, left, right }.Should().Equal(@case.GetProperty("box").EnumerateArray().Select(v => v.GetInt32()));
                corrected.Should().Be(@case.GetProperty("corrected_lam").GetDouble());
            }

            batch.Pixels.Should().Equal(AugmentationFixture.Floats(@case.GetProperty("mixed")), $"λ {lambda}, cutmix {useCutmix}: the same float32 steps as torch");
            targets.Should().Equal(AugmentationFixture.Floats(@case.GetProperty("target")));
        }
    }

    [Fact]
    public void Smoothed_targets_equal_timms_mixup_target()
    {
        var fixture = AugmentationFixture.Root.GetProperty("mixup");
        var labels = fixture.GetProperty("labels").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        Mixup.Targets(labels, 5, 0.25, 0.2).Should().Equal(AugmentationFixture.Floats(fixture.GetProperty("target_lam_0_25_smoothing_0_2")));
    }

    [Fact]
    public void Switch_probability_and_mix_probability_choose_as_timm()
    {
        var random = new Random(4);
        var both = new Mixup(0.8, 1.0, Probability: 0.5, SwitchProbability: 0.3);
        var draws = Enumerable.Range(0, 4000).Select(_ => both.SampleParameters(random)).ToArray();
        var mixed = draws.Where(d => d.Lambda != 1.0).ToArray();
        (mixed.Length / 4000.0).Should().BeApproximately(0.5, 0.03);
        (mixed.Count(d => d.UseCutmix) / (double)mixed.Length).Should().BeApproximately(0.3, 0.03);
        mixed.Should().OnlyContain(d => d.Lambda >= 0 && d.Lambda <= 1);
        // Beta(1, 1) is uniform: mean 1/2, variance 1/12.
        var cutmixLambdas = mixed.Where(d => d.UseCutmix).Select(d => d.Lambda).ToArray();
        cutmixLambdas.Average().Should().BeApproximately(0.5, 0.03);
        cutmixLambdas.Average(l => (l - 0.5) * (l - 0.5)).Should().BeApproximately(1.0 / 12, 0.01);
        new Mixup(0, 1.0).SampleParameters(random).UseCutmix.Should().BeTrue("CutMix alone always cuts");
        new Mixup(0, 0).SampleParameters(random).Should().Be((1.0, false));
    }
}
