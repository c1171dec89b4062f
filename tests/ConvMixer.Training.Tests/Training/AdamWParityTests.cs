using System.Text.Json;
using FluentAssertions;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Training.Tests;

/// <summary>
/// The trainer's AdamW against PyTorch's <c>torch.optim.AdamW</c> on the same weights and gradients
/// (Fixtures/adamw.json, made by tools/training/make_adamw_fixture.py): a learning rate that changes every step,
/// weight decay, gradients of very different sizes, and a parameter that gets no gradient for its first steps.
/// </summary>
public class AdamWParityTests
{
    private const double Tolerance = 1e-6;

    [Fact]
    public void Weights_and_moments_equal_PyTorch_after_every_step()
    {
        using var fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "adamw.json")));
        var root = fixture.RootElement;
        var names = root.GetProperty("shapes").EnumerateObject().Select(p => p.Name).ToArray();
        var shapes = names.ToDictionary(n => n, n => root.GetProperty("shapes").GetProperty(n).EnumerateArray().Select(d => d.GetInt64()).ToArray());
        var parameters = names.ToDictionary(n => n, n => new Parameter(tensor(Floats(root.GetProperty("initial").GetProperty(n)), shapes[n])));
        root.GetProperty("beta1").GetDouble().Should().Be(0.9, "the fixture uses AdamW's default betas and eps, as the trainer does");
        root.GetProperty("beta2").GetDouble().Should().Be(0.999);
        root.GetProperty("eps").GetDouble().Should().Be(1e-8);
        using var optimizer = new AdamW(names.Select(n => parameters[n]), learningRate: 0.01, weightDecay: root.GetProperty("weight_decay").GetDouble());

        var step = 0;
        foreach (var expected in root.GetProperty("steps").EnumerateArray())
        {
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = expected.GetProperty("lr").GetDouble();
            }

            var grads = expected.GetProperty("grads");
            foreach (var name in names)
            {
                parameters[name].grad = grads.TryGetProperty(name, out var grad) ? tensor(Floats(grad), shapes[name]) : null;
            }

            optimizer.step();
            step++;

            var states = optimizer.state_dict().State.Cast<TorchSharp.Modules.AdamW.State>().ToArray();
            for (var i = 0; i < names.Length; i++)
            {
                var name = names[i];
                Values(parameters[name]).Should().Equal(Floats(expected.GetProperty("weights").GetProperty(name)),
                    Close, $"the weights of '{name}' after step {step}");
                if (expected.GetProperty("exp_avg").TryGetProperty(name, out var expAvg))
                {
                    Values(states[i].exp_avg).Should().Equal(Floats(expAvg), Close, $"exp_avg of '{name}' after step {step}");
                    Values(states[i].exp_avg_sq).Should().Equal(Floats(expected.GetProperty("exp_avg_sq").GetProperty(name)),
                        Close, $"exp_avg_sq of '{name}' after step {step}");
                }
                else
                {
                    states[i].step.Should().Be(0, $"'{name}' has had no gradient yet, so AdamW has not stepped it");
                }
            }
        }

        step.Should().BeGreaterThan(4);
    }

    // Absolute for values of order one, relative for larger ones (float32 keeps about 7 digits).
    private static bool Close(float actual, float expected) => Math.Abs(actual - expected) <= Tolerance * Math.Max(1, Math.Abs(expected));

    private static float[] Floats(JsonElement values) => values.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static float[] Values(Tensor t) => t.detach().data<float>().ToArray();
}
