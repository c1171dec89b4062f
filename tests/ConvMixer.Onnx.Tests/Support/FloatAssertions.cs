using FluentAssertions;

namespace ConvMixerNet.Onnx.Tests;

internal static class FloatAssertions
{
    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise (the reference tolerance on logits).</summary>
    public static void ShouldBeCloseTo(this float[] actual, float[] expected, double atol = 1e-5, double rtol = 1e-5)
    {
        actual.Should().HaveSameCount(expected);
        var worst = 0.0;
        var worstIndex = -1;
        for (var i = 0; i < actual.Length; i++)
        {
            var excess = Math.Abs(actual[i] - expected[i]) - (atol + (rtol * Math.Abs(expected[i])));
            if (!(excess <= worst))
            {
                worst = excess;
                worstIndex = i;
            }
        }

        worstIndex.Should().Be(-1, worstIndex < 0 ? "" : $"value {worstIndex} is {actual[worstIndex]} against {expected[worstIndex]}");
    }

    /// <summary>Index of the largest value in each row of a row-major [rows, width] array.</summary>
    public static int[] ArgMaxRows(this float[] values, int width) =>
        Enumerable.Range(0, values.Length / width)
            .Select(row => Enumerable.Range(0, width).MaxBy(j => values[(row * width) + j]))
            .ToArray();
}
