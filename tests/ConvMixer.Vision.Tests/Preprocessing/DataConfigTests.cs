using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

public class DataConfigTests
{
    [Fact]
    public void The_default_is_the_published_models_eval_config()
    {
        var config = DataConfig.ImageNet;

        config.InputSize.Should().Be(224);
        config.ResizeSize.Should().Be(233, "floor(224 / 0.96)");
        config.Interpolation.Should().Be(Interpolation.Bicubic);
        config.Mean.Should().Equal(0.485f, 0.456f, 0.406f);
        config.Std.Should().Equal(0.229f, 0.224f, 0.225f);
    }

    [Theory]
    [InlineData(0, 0.96, "InputSize")]
    [InlineData(224, 0.0, "CropFraction")]
    [InlineData(224, 1.01, "CropFraction")]
    [InlineData(224, double.NaN, "CropFraction")]
    public void Nonsense_sizes_are_rejected_by_name(int inputSize, double cropFraction, string name)
    {
        var act = () => new ImagePreprocessor(new DataConfig { InputSize = inputSize, CropFraction = cropFraction });

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
    }

    [Fact]
    public void A_zero_standard_deviation_is_rejected()
    {
        var act = () => new ImagePreprocessor(new DataConfig { Std = [0.2f, 0f, 0.2f] });

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Std");
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Std[1] must be a positive number*");
    }

    [Theory]
    [InlineData(360, 240, 233, 349, 233)] // landscape: long side int(233 * 360 / 240) = 349
    [InlineData(200, 300, 233, 233, 349)] // portrait, enlarged
    [InlineData(384, 303, 233, 295, 233)] // int(233 * 384 / 303) = int(295.28) = 295
    [InlineData(64, 64, 233, 233, 233)]
    public void The_shorter_side_is_resized_and_the_longer_truncated_as_torchvision_does(int width, int height, int shorter, int expectedWidth, int expectedHeight)
    {
        ImagePreprocessor.ResizedSize(width, height, shorter).Should().Be((expectedWidth, expectedHeight));
    }

    [Fact]
    public void ToTensor_gives_a_planar_float_image_of_the_input_size()
    {
        var preprocessor = new ImagePreprocessor(new DataConfig { InputSize = 48 });

        using var tensor = preprocessor.ToTensor(PreprocessingFixtures.Image("rocket_portrait.jpg"));

        tensor.shape.Should().Equal(3, 48, 48);
        tensor.dtype.Should().Be(TorchSharp.torch.ScalarType.Float32);
    }
}
