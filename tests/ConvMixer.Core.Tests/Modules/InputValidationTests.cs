using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

public class InputValidationTests
{
    private static ConvMixer SmallModel() => new(dim: 8, depth: 1, kernelSize: 3, patchSize: 4, numClasses: 3);

    [Fact]
    public void Three_dimensional_input_is_rejected_with_the_expected_layout()
    {
        using var model = SmallModel();
        using var image = torch.randn(3, 32, 32);

        var act = () => model.forward(image);

        act.Should().Throw<ArgumentException>().WithMessage("*4-D*[N, 3, H, W]*3-D*[3, 32, 32]*");
    }

    [Fact]
    public void Wrong_channel_count_is_rejected()
    {
        using var model = SmallModel();
        using var gray = torch.randn(2, 1, 32, 32);

        var act = () => model.forward(gray);

        act.Should().Throw<ArgumentException>().WithMessage("*3 input channels*got 1*");
    }

    [Theory]
    [InlineData(3, 32)]
    [InlineData(32, 2)]
    public void Image_smaller_than_one_patch_is_rejected(int height, int width)
    {
        using var model = SmallModel();
        using var tiny = torch.randn(1, 3, height, width);

        var act = () => model.forward(tiny);

        act.Should().Throw<ArgumentException>().WithMessage($"*at least 4*{height}x{width}*");
    }

    [Fact]
    public void Empty_batch_is_rejected()
    {
        using var model = SmallModel();
        using var empty = torch.randn(0, 3, 32, 32);

        var act = () => model.forward(empty);

        act.Should().Throw<ArgumentException>().WithMessage("*non-empty batch*N = 0*");
    }

    [Fact]
    public void Input_of_another_dtype_is_rejected()
    {
        using var model = SmallModel();
        using var doubles = torch.randn(1, 3, 32, 32, dtype: ScalarType.Float64);

        var act = () => model.forward(doubles);

        act.Should().Throw<ArgumentException>().WithMessage("*Float32*Float64*");
    }

    [Fact]
    public void Model_converted_with_to_runs_on_matching_input()
    {
        using var model = SmallModel().to(ScalarType.Float64);
        model.eval();
        using var doubles = torch.randn(1, 3, 32, 32, dtype: ScalarType.Float64);

        using var logits = model.forward(doubles);

        logits.dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void Model_built_with_a_dtype_has_parameters_of_that_dtype()
    {
        using var model = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 4, numClasses: 3, dtype: ScalarType.BFloat16);
        model.parameters().Should().OnlyContain(p => p.dtype == ScalarType.BFloat16);
    }

    [Fact]
    public void Layer_rejects_input_of_the_wrong_width()
    {
        using var layer = new ConvMixerLayer(dim: 8, kernelSize: 3);
        using var x = torch.randn(1, 4, 5, 5);

        var act = () => layer.forward(x);

        act.Should().Throw<ArgumentException>().WithMessage("*[N, 8, H, W]*[1, 4, 5, 5]*");
    }

    [Theory]
    [InlineData(0, 1, 9, 7, 10, 3, "Dim")]
    [InlineData(8, 0, 9, 7, 10, 3, "Depth")]
    [InlineData(8, 1, 0, 7, 10, 3, "KernelSize")]
    [InlineData(8, 1, 9, -1, 10, 3, "PatchSize")]
    [InlineData(8, 1, 9, 7, -2, 3, "NumClasses")]
    [InlineData(8, 1, 9, 7, 10, 0, "InChannels")]
    public void Nonsensical_constructor_arguments_are_rejected(int dim, int depth, int kernel, int patch, int classes, int channels, string name)
    {
        var act = () => new ConvMixer(dim, depth, kernel, patch, classes, channels);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Drop_rate_outside_zero_to_one_is_rejected(double dropRate)
    {
        var act = () => new ConvMixer(dim: 8, depth: 1, dropRate: dropRate);
        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("dropRate");
    }

    [Fact]
    public void Unknown_activation_is_rejected()
    {
        var act = () => new ConvMixer(dim: 8, depth: 1, activation: (Activation)42);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
