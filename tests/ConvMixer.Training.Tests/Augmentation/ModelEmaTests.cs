using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Training.Tests;

/// <summary>The weight EMA against timm's <c>ModelEmaV3.update</c> on a conv + BatchNorm module whose state moves between steps.</summary>
public class ModelEmaTests
{
    [Fact]
    public void Average_and_decay_equal_timms_ModelEmaV3_after_every_update()
    {
        foreach (var run in AugmentationFixture.Root.GetProperty("ema").EnumerateArray())
        {
            using var model = NewModule();
            using var shadow = NewModule();
            Load(model, run.GetProperty("initial"));
            using var ema = new ModelEma(model, shadow, run.GetProperty("decay").GetDouble(), run.GetProperty("use_warmup").GetBoolean());
            foreach (var step in run.GetProperty("steps").EnumerateArray())
            {
                var t = step.GetProperty("step").GetInt32();
                ema.DecayAt(t).Should().BeApproximately(step.GetProperty("decay").GetDouble(), 1e-15);
                Load(model, step.GetProperty("model"));
                ema.Update(model, t);
                foreach (var entry in step.GetProperty("ema").EnumerateObject())
                {
                    var actual = shadow.state_dict()[entry.Name];
                    using var flat = actual.to(ScalarType.Float64).flatten();
                    var values = flat.data<double>().ToArray();
                    var expected = entry.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray();
                    for (var i = 0; i < expected.Length; i++)
                    {
                        values[i].Should().BeApproximately(expected[i], Math.Abs(expected[i]) * 1e-6 + 1e-7, $"{entry.Name}[{i}] after step {t}");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_mismatched_model_is_rejected()
    {
        using var model = NewModule();
        using var other = nn.Sequential(("conv", nn.Conv2d(2, 3, 3)));
        var create = () => new ModelEma(model, other);
        create.Should().Throw<ArgumentException>().WithMessage("*same architecture*");
    }

    private static nn.Module NewModule() => nn.Sequential(("conv", nn.Conv2d(2, 3, 3)), ("bn", nn.BatchNorm2d(3)));

    private static void Load(nn.Module module, System.Text.Json.JsonElement state)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, value) in module.state_dict())
        {
            var values = state.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            value.copy_(tensor(values).to(value.dtype).reshape(value.shape));
        }
    }
}
