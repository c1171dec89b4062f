using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

public class LayerBehaviourTests
{
    [Fact]
    public void Default_residual_wraps_only_the_spatial_mixing()
    {
        using var layer = new ConvMixerLayer(dim: 6, kernelSize: 3);
        layer.eval();
        using var x = torch.randn(2, 6, 5, 5);

        using var actual = layer.forward(x);

        using var spatial = x + layer.DepthwiseNorm.forward(torch.nn.functional.gelu(layer.DepthwiseConv.forward(x)));
        using var expected = layer.PointwiseNorm.forward(torch.nn.functional.gelu(layer.PointwiseConv.forward(spatial)));
        actual.ShouldBeClose(expected, 1e-6, 1e-6);
    }

    [Fact]
    public void Around_layer_residual_wraps_the_whole_layer()
    {
        using var layer = new ConvMixerLayer(dim: 6, kernelSize: 3, residualPlacement: ResidualPlacement.AroundLayer);
        layer.eval();
        using var x = torch.randn(2, 6, 5, 5);

        using var actual = layer.forward(x);

        using var spatial = layer.DepthwiseNorm.forward(torch.nn.functional.gelu(layer.DepthwiseConv.forward(x)));
        using var expected = x + layer.PointwiseNorm.forward(torch.nn.functional.gelu(layer.PointwiseConv.forward(spatial)));
        actual.ShouldBeClose(expected, 1e-6, 1e-6);
    }

    [Fact]
    public void The_two_residual_placements_give_different_outputs_with_the_same_weights()
    {
        torch.manual_seed(7);
        using var paper = new ConvMixerLayer(dim: 6, kernelSize: 3);
        using var article = new ConvMixerLayer(dim: 6, kernelSize: 3, residualPlacement: ResidualPlacement.AroundLayer);
        article.load_state_dict(paper.state_dict());
        paper.eval();
        article.eval();
        using var x = torch.randn(2, 6, 5, 5);

        using var a = paper.forward(x);
        using var b = article.forward(x);

        (a - b).abs().max().item<float>().Should().BeGreaterThan(1e-3f);
    }

    [Fact]
    public void Layer_has_two_separate_batch_norms()
    {
        using var layer = new ConvMixerLayer(dim: 6, kernelSize: 3);
        layer.DepthwiseNorm.Should().NotBeSameAs(layer.PointwiseNorm);
        layer.modules().OfType<TorchSharp.Modules.BatchNorm>().Should().HaveCount(2);
    }

    [Fact]
    public void Relu_layers_use_relu()
    {
        using var layer = new ConvMixerLayer(dim: 4, kernelSize: 3, activation: Activation.Relu);
        layer.modules().OfType<TorchSharp.Modules.ReLU>().Should().HaveCount(2);
        layer.modules().OfType<TorchSharp.Modules.GELU>().Should().BeEmpty();
    }

    [Fact]
    public void Training_mode_normalises_with_batch_statistics_and_updates_running_ones()
    {
        using var model = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 3);
        using var x = torch.randn(4, 3, 8, 8) * 3 + 1;
        var runningMean = model.Layers[0].DepthwiseNorm.running_mean!.clone();

        model.eval();
        using var evalOut = model.forward(x);
        model.Layers[0].DepthwiseNorm.running_mean!.allclose(runningMean, 0, 0).Should().BeTrue("eval mode must not touch running statistics");

        model.train();
        using var trainOut = model.forward(x);

        model.Layers[0].DepthwiseNorm.running_mean!.allclose(runningMean, 0, 0).Should().BeFalse("training updates running statistics");
        model.Layers[0].DepthwiseNorm.num_batches_tracked!.item<long>().Should().Be(1);
        (trainOut - evalOut).abs().max().item<float>().Should().BeGreaterThan(1e-3f);
    }

    [Fact]
    public void Gradients_reach_every_parameter()
    {
        using var model = new ConvMixer(dim: 8, depth: 2, kernelSize: 3, patchSize: 2, numClasses: 3);
        model.train();
        using var x = torch.randn(4, 3, 8, 8);
        using var target = torch.tensor(new long[] { 0, 1, 2, 1 });

        using var loss = torch.nn.functional.cross_entropy(model.forward(x), target);
        loss.backward();

        foreach (var (name, parameter) in model.named_parameters())
        {
            parameter.grad.Should().NotBeNull(name);
            parameter.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f, name);
        }
    }
}
