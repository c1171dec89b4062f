using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>RandAugment's configuration strings and magnitude-to-argument mapping against timm's own functions (Fixtures/augmentation.json).</summary>
public class RandAugmentTests
{
    [Fact]
    public void Configuration_strings_parse_as_timm_parses_them()
    {
        foreach (var expected in AugmentationFixture.Root.GetProperty("rand_augment").EnumerateArray())
        {
            var config = expected.GetProperty("config").GetString()!;
            var actual = RandAugment.Parse(config);
            actual.NumLayers.Should().Be(expected.GetProperty("num_layers").GetInt32(), config);
            actual.Operations.Should().Equal(expected.GetProperty("ops").EnumerateArray().Select(o => o.GetString()), config);
            actual.Probability.Should().Be(expected.GetProperty("prob").GetDouble(), config);
            actual.Magnitude.Should().Be(expected.GetProperty("magnitude").GetDouble(), config);
            var std = expected.GetProperty("magnitude_std");
            actual.MagnitudeStd.Should().Be(std.ValueKind == System.Text.Json.JsonValueKind.String ? double.PositiveInfinity : std.GetDouble(), config);
            var max = expected.GetProperty("magnitude_max");
            actual.MagnitudeMax.Should().Be(max.ValueKind == System.Text.Json.JsonValueKind.Null ? 10 : max.GetDouble(), config);
        }
    }

    [Fact]
    public void Operation_arguments_equal_timms_level_functions()
    {
        var checkedCount = 0;
        foreach (var expected in AugmentationFixture.Root.GetProperty("levels").EnumerateArray())
        {
            var name = expected.GetProperty("name").GetString()!;
            var magnitude = expected.GetProperty("magnitude").GetDouble();
            var negate = expected.GetProperty("negate").GetBoolean();
            var args = expected.GetProperty("args").EnumerateArray().Select(a => a.GetDouble()).ToArray();
            var actual = RandAugmentOp.Argument(name, magnitude, negate);
            if (args.Length == 0)
            {
                actual.Should().BeNull(name);
            }
            else
            {
                actual.Should().NotBeNull(name);
                actual!.Value.Should().BeApproximately(args[0], 1e-12, $"{name} at magnitude {magnitude}, negate {negate}");
            }

            checkedCount++;
        }

        checkedCount.Should().BeGreaterThan(200);
    }

    [Theory]
    [InlineData("rand-m9-x3", "unknown section")]
    [InlineData("auto-m9", "must start with 'rand'")]
    [InlineData("rand-mstd0.5.5", "needs a number")]
    [InlineData("rand-n2.5", "whole number")]
    public void Bad_strings_are_rejected_with_the_reason(string config, string reason)
    {
        var parse = () => RandAugment.Parse(config);
        parse.Should().Throw<FormatException>().WithMessage($"*{reason}*");
    }

    [Fact]
    public void Applying_is_a_function_of_the_seed_and_changes_images()
    {
        var augment = RandAugment.Parse("rand-m9-mstd0.5-inc1", (124, 116, 104));
        var source = AugmentationFixture.Source;
        var outputs = Enumerable.Range(0, 12).Select(seed => augment.Apply(source, new Random(seed)).Pixels.ToArray()).ToArray();
        var again = Enumerable.Range(0, 12).Select(seed => augment.Apply(source, new Random(seed)).Pixels.ToArray()).ToArray();
        for (var i = 0; i < outputs.Length; i++)
        {
            again[i].Should().Equal(outputs[i], "the same seed gives the same image");
        }

        outputs.Count(o => !o.AsSpan().SequenceEqual(source.Pixels)).Should().BeGreaterThan(6, "with two operations at p 0.5 most images change");
        outputs.Select(o => Convert.ToBase64String(o)).Distinct().Count().Should().BeGreaterThan(8, "different seeds choose different operations");
    }
}
