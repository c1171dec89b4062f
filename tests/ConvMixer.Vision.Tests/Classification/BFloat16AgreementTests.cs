using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace ConvMixerNet.Vision.Tests;

/// <summary>How far bfloat16 inference moves the outputs of the golden model from float32 (timm's logits).</summary>
public class BFloat16AgreementTests(ITestOutputHelper output)
{
    private static readonly string[] Photos =
        ["cat_landscape.jpg", "rocket_portrait.jpg", "coffee.webp", "camera_gray.png", "coins_gray.jpg", "astronaut_alpha.png", "hubble_small.bmp", "cat_palette.png"];

    [Fact]
    public void Bfloat16_logits_stay_close_to_timms_float32_logits()
    {
        using var classifier = GoldenModel.Classifier(InferencePrecision.BFloat16);
        using var input = GoldenModel.Input;
        using var expected = GoldenModel.Logits;

        using var logits = classifier.Logits(input);

        using var difference = (logits - expected).abs();
        using var scale = expected.abs().max();
        var worst = difference.max().item<float>();
        output.WriteLine($"bf16 vs timm float32 logits: max |diff| {worst:F4}, mean |diff| {difference.mean().item<float>():F4}, largest |logit| {scale.item<float>():F3}");
        // bfloat16 keeps 8 significant bits (relative step 2^-8 = 0.4%); errors add up over the layers.
        worst.Should().BeLessThan(0.015f * scale.item<float>(), "measured 0.020 for a largest logit of 5.18");
        logits.argmax(1).data<long>().ToArray().Should().Equal(expected.argmax(1).data<long>().ToArray());
    }

    [Fact]
    public void Bfloat16_probabilities_on_photos_stay_close_to_float32()
    {
        using var full = GoldenModel.Classifier();
        using var half = GoldenModel.Classifier(InferencePrecision.BFloat16);
        var paths = Photos.Select(PreprocessingFixtures.Image).ToList();

        var reference = full.ClassifyMany(paths, topK: 10).ToList();
        var reduced = half.ClassifyMany(paths, topK: 10).ToList();

        var worst = 0f;
        var sameTop = 0;
        for (var i = 0; i < paths.Count; i++)
        {
            var a = reference[i].Predictions.ToDictionary(p => p.ClassIndex, p => p.Probability);
            var b = reduced[i].Predictions.ToDictionary(p => p.ClassIndex, p => p.Probability);
            worst = Math.Max(worst, a.Keys.Max(k => Math.Abs(a[k] - b[k])));
            sameTop += reference[i].Top!.ClassIndex == reduced[i].Top!.ClassIndex ? 1 : 0;
        }

        output.WriteLine($"bf16 vs float32 on {paths.Count} photos: max |probability diff| {worst:F4}, same top-1 on {sameTop} of {paths.Count}");
        worst.Should().BeLessThan(0.02f, "measured 0.0041");
        sameTop.Should().BeGreaterThanOrEqualTo(paths.Count - 1, "a near tie may flip, but bf16 must not change the ranking broadly");
    }
}
