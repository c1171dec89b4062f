using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

/// <summary>The one normalisation: torchvision's (x - mean) / std per channel, used by evaluation and by training batches.</summary>
public class NormalizationTests
{
    [Fact]
    public void Each_channel_is_shifted_by_its_mean_and_divided_by_its_std_in_float32()
    {
        float[] planar = [4 / 255f, 7 / 255f, 1 / 255f, 3 / 255f, 1 / 255f, 4 / 255f];
        float[] mean = [0.485f, 0.456f, 0.406f];
        float[] std = [0.229f, 0.224f, 0.225f];

        var given = planar.ToArray();
        Normalization.Apply(planar, mean, std);

        // Division, as torchvision's Normalize does (multiplying by 1/std differs in the last bits).
        var expected = new float[6];
        for (var i = 0; i < 6; i++)
        {
            expected[i] = (given[i] - mean[i / 2]) / std[i / 2];
        }

        planar.Should().Equal(expected);
    }

    [Fact]
    public void Statistics_that_do_not_fit_the_values_are_refused()
    {
        FluentActions.Invoking(() => Normalization.Apply(new float[5], [0.5f, 0.5f], [0.2f, 0.2f])).Should().Throw<ArgumentException>().WithMessage("5 values cannot be cut into the 2 channel(s)*");
        FluentActions.Invoking(() => Normalization.Apply(new float[4], [0.5f, 0.5f], [0.2f])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void The_evaluation_preprocessing_and_a_training_batch_normalise_the_same_pixels_alike()
    {
        var image = new RgbImage(4, 4, Enumerable.Range(0, 48).Select(i => (byte)(i * 5)).ToArray());
        var config = DataConfig.ImageNet with { InputSize = 4, CropFraction = 1.0 };
        var evaluated = new float[48];
        new ImagePreprocessor(config).Normalize(image, evaluated);

        var planar = image.ToPlanar().Select(b => b / 255f).ToArray();
        Normalization.Apply(planar, config.Mean, config.Std);

        evaluated.Should().Equal(planar);
    }
}
