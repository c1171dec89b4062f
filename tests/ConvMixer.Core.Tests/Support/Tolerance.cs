using FluentAssertions;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

internal static class Tolerance
{
    /// <summary>Asserts |actual - expected| ≤ atol + rtol·|expected| element-wise (the reference tolerance on logits).</summary>
    public static void ShouldBeClose(this Tensor actual, Tensor expected, double atol = 1e-5, double rtol = 1e-5)
    {
        actual.shape.Should().Equal(expected.shape);
        using var diff = (actual - expected).abs();
        using var bound = expected.abs() * rtol + atol;
        using var excess = (diff - bound).max();
        using var worst = diff.max();
        excess.item<float>().Should().BeLessThanOrEqualTo(0f, $"the largest deviation is {worst.item<float>():E3}");
    }
}
