using FluentAssertions;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

internal static class RoundedState
{
    /// <summary>
    /// Asserts that every tensor of <paramref name="model"/>'s state dict is float32 and equals, bit for bit,
    /// <paramref name="reference"/>'s tensor rounded to <paramref name="stored"/> and widened back
    /// (<c>reference.to(stored).to(float32)</c>); integer tensors (BatchNorm counters) must equal the reference's.
    /// </summary>
    public static void ShouldHoldTheRoundedValuesOf(this nn.Module model, nn.Module reference, ScalarType stored)
    {
        var actual = model.state_dict();
        var expected = reference.state_dict();
        actual.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (key, original) in expected)
        {
            if (!original.is_floating_point())
            {
                actual[key].Identical(original).Should().BeTrue($"'{key}' is an integer tensor and is stored as it is");
                continue;
            }

            actual[key].dtype.Should().Be(ScalarType.Float32, key);
            using var narrowed = original.to(stored);
            using var rounded = narrowed.to(ScalarType.Float32);
            actual[key].Identical(rounded).Should().BeTrue($"'{key}' must hold the {stored} values widened exactly to float32");
        }
    }
}
