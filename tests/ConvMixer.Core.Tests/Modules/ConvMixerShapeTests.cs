using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

public class ConvMixerShapeTests
{
    [Fact]
    public void ConvMixer1536_20_on_four_224px_images_returns_4x1000_logits()
    {
        using var model = new ConvMixer(dim: 1536, depth: 20, kernelSize: 9, patchSize: 7, numClasses: 1000);
        model.eval();
        using var images = torch.randn(4, 3, 224, 224);
        using var _ = torch.inference_mode();

        using var logits = model.forward(images);

        logits.shape.Should().Equal(4, 1000);
        logits.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Theory]
    [InlineData(32, 32, 4, 8, 8)]
    [InlineData(35, 33, 4, 8, 8)] // trailing pixels dropped, as in PyTorch
    [InlineData(20, 36, 4, 5, 9)] // non-square
    [InlineData(4, 4, 4, 1, 1)]   // exactly one patch
    public void Feature_map_has_one_vector_per_whole_patch(int height, int width, int patch, int gridH, int gridW)
    {
        using var model = new ConvMixer(dim: 8, depth: 2, kernelSize: 3, patchSize: patch, numClasses: 5);
        model.eval();
        using var images = torch.randn(2, 3, height, width);

        using var features = model.ForwardFeatures(images);
        using var logits = model.forward(images);

        features.shape.Should().Equal(2, 8, gridH, gridW);
        logits.shape.Should().Equal(2, 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    public void Depthwise_convolution_keeps_the_grid_size_for_odd_and_even_kernels(int kernel)
    {
        using var layer = new ConvMixerLayer(dim: 4, kernelSize: kernel);
        using var x = torch.randn(1, 4, 7, 6);

        using var y = layer.forward(x);

        y.shape.Should().Equal(1, 4, 7, 6);
    }

    [Fact]
    public void Even_kernel_pads_one_less_before_than_after_like_pytorch_same()
    {
        // PyTorch's padding='same' puts (k-1)/2 rows before and the rest after: 1 before, 2 after for k = 4.
        using var layer = new ConvMixerLayer(dim: 1, kernelSize: 4);
        using var x = torch.randn(1, 1, 6, 6);
        var conv = layer.DepthwiseConv;

        using var expected = torch.nn.functional.conv2d(torch.nn.functional.pad(x, [1, 2, 1, 2]), conv.weight!, conv.bias);
        using var actual = conv.forward(x);

        actual.ShouldBeClose(expected, 1e-6, 1e-6);
    }

    [Fact]
    public void Without_classes_forward_returns_pooled_features()
    {
        using var model = new ConvMixer(dim: 16, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 0);
        model.eval();
        using var x = torch.randn(3, 3, 8, 8);

        using var output = model.forward(x);
        using var pooled = model.ForwardHead(model.ForwardFeatures(x), preLogits: true);

        output.shape.Should().Equal(3, 16);
        output.ShouldBeClose(pooled, 0, 0);
        model.parameters().Should().NotContain(p => p.shape.Length == 2, "there is no linear layer");
    }

    [Fact]
    public void ResetClassifier_replaces_the_head_and_keeps_the_body()
    {
        using var model = new ConvMixer(dim: 16, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 10);
        var before = model.Layers[0].PointwiseConv.weight!.clone();

        model.ResetClassifier(numClasses: 3);

        model.NumClasses.Should().Be(3);
        model.state_dict()["head.weight"].shape.Should().Equal(3, 16);
        model.Layers[0].PointwiseConv.weight!.allclose(before, 0, 0).Should().BeTrue();
        using var x = torch.randn(2, 3, 8, 8);
        using var logits = model.forward(x);
        logits.shape.Should().Equal(2, 3);
    }

    [Fact]
    public void NumFeatures_equals_dim()
    {
        using var model = new ConvMixer(dim: 24, depth: 1, numClasses: 7);
        model.NumFeatures.Should().Be(24);
    }
}
