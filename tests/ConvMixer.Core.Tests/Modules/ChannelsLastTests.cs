using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// <see cref="ConvMixer.ChannelsLast"/> changes the memory layout of the feature maps, not the function: the same
/// logits and the same gradients as the default layout, for grey and colour inputs, in training and eval mode.
/// </summary>
public class ChannelsLastTests
{
    [Theory]
    [InlineData(1, 28)]
    [InlineData(3, 32)]
    public void Logits_and_gradients_match_the_default_layout(int channels, int size)
    {
        torch.random.manual_seed(5);
        using var model = new ConvMixer(dim: 16, depth: 2, kernelSize: 5, patchSize: 2, numClasses: 10, inChannels: channels);
        using var input = torch.randn(4, channels, size, size);
        foreach (var training in new[] { true, false })
        {
            model.train(training);
            var (logits, gradients) = Run(model, input, channelsLast: false);
            var (logitsLast, gradientsLast) = Run(model, input, channelsLast: true);

            MaxDifference(logitsLast, logits).Should().BeLessThan(1e-5f, $"training={training}");
            for (var i = 0; i < gradients.Length; i++)
            {
                MaxDifference(gradientsLast[i], gradients[i]).Should().BeLessThan(1e-4f, $"gradient {i}, training={training}");
            }
        }
    }

    [Fact]
    public void The_feature_maps_are_stored_channels_last_only_when_asked()
    {
        using var model = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 4, inChannels: 1);
        using var input = torch.randn(2, 1, 8, 8);
        using var _ = torch.no_grad();

        using (var features = model.ForwardFeatures(input))
        {
            TensorLayout.IsChannelsLast(features).Should().BeFalse();
        }

        model.ChannelsLast = true;
        using var last = model.ForwardFeatures(input);
        TensorLayout.IsChannelsLast(last).Should().BeTrue();
        last.shape.Should().Equal(2, 8, 4, 4);
    }

    [Fact]
    public void ToChannelsLast_keeps_values_and_refuses_other_ranks()
    {
        using var x = torch.arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).reshape(2, 3, 4, 5);
        using var last = TensorLayout.ToChannelsLast(x);

        last.stride().Should().Equal(60, 1, 15, 3);
        last.allclose(x, rtol: 0, atol: 0).Should().BeTrue();
        using var again = TensorLayout.ToChannelsLast(last);
        again.stride().Should().Equal(60, 1, 15, 3);

        using var flat = torch.zeros(3, 4);
        var act = () => TensorLayout.ToChannelsLast(flat);
        act.Should().Throw<ArgumentException>().WithMessage("*4-D*2 dimension(s)*");
    }

    private static (Tensor Logits, Tensor[] Gradients) Run(ConvMixer model, Tensor input, bool channelsLast)
    {
        model.ChannelsLast = channelsLast;
        model.zero_grad();
        var logits = model.forward(input);
        using (var loss = logits.square().sum())
        {
            loss.backward();
        }

        return (logits.detach(), model.parameters().Select(p => p.grad!.clone()).ToArray());
    }

    private static float MaxDifference(Tensor a, Tensor b)
    {
        using var difference = (a - b).abs().max();
        return difference.item<float>();
    }
}
