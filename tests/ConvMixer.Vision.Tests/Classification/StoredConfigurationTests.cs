using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

/// <summary>The classifier takes its preprocessing and class names from the model, and says when it had to guess.</summary>
public class StoredConfigurationTests
{
    [Fact]
    public void A_stored_configuration_is_used_and_options_override_it()
    {
        var stored = new PretrainedConfig
        {
            Data = new DataConfig { InputSize = 40, CropFraction = 0.8, Interpolation = Interpolation.Bilinear, Mean = [0.1f, 0.2f, 0.3f], Std = [0.4f, 0.5f, 0.6f] },
            LabelNames = new ClassLabels(Enumerable.Range(0, 10).Select(i => $"stored {i}")),
        };
        var model = ConvMixer.FromCheckpoint(GoldenModel.CheckpointPath);
        model.Pretrained = stored;
        using (var classifier = new ImageClassifier(model))
        {
            classifier.Preprocessor.Config.Should().Be(stored.Data);
            Enumerable.Range(0, 10).Select(i => classifier.Labels[i]).Should().Equal(stored.LabelNames);
            classifier.AssumedDefaults.Should().BeNull();
        }

        var again = ConvMixer.FromCheckpoint(GoldenModel.CheckpointPath);
        again.Pretrained = stored;
        using var overridden = new ImageClassifier(again, new ImageClassifierOptions { Overrides = new DataConfigOverrides { InputSize = 32, Mean = [0.5f, 0.5f, 0.5f] } });
        overridden.Preprocessor.Config.Should().Be(stored.Data with { InputSize = 32, Mean = [0.5f, 0.5f, 0.5f] });
    }

    [Fact]
    public void Only_a_model_without_configuration_that_is_not_imagenet_shaped_reports_assumed_defaults()
    {
        using (var bare = ImageClassifier.FromCheckpoint(GoldenModel.CheckpointPath))
        {
            bare.AssumedDefaults.Should().Contain("10 classes").And.Contain("preprocessing").And.Contain("class names");
        }

        using (var imageNet = new ImageClassifier(new ConvMixer(dim: 16, depth: 1, kernelSize: 3, patchSize: 16)))
        {
            imageNet.AssumedDefaults.Should().BeNull("1000 classes and RGB input are the published models' shape");
            imageNet.Labels[0].Should().Be("tench");
        }

        using var given = ImageClassifier.FromCheckpoint(GoldenModel.CheckpointPath, GoldenModel.Options() with { Labels = ClassLabels.Numbered(10) });
        given.AssumedDefaults.Should().BeNull();
    }

    [Fact]
    public void Grey_models_see_the_image_as_pils_convert_L_makes_it()
    {
        // PIL: L = (19595 R + 38470 G + 7471 B + 32768) >> 16, so pure red, green and blue are 76, 150 and 29.
        var image = new RgbImage(3, 1, [255, 0, 0, 0, 255, 0, 0, 0, 255]);

        image.ToGrey().Pixels.ToArray().Should().Equal(76, 76, 76, 150, 150, 150, 29, 29, 29);

        var preprocessor = new ImagePreprocessor(new DataConfig { InChannels = 1, InputSize = 1, CropFraction = 1.0, Interpolation = Interpolation.Nearest, Mean = [0f], Std = [1f] });
        preprocessor.ValuesPerImage.Should().Be(1);
        preprocessor.Process(new RgbImage(1, 1, [255, 0, 0])).Should().Equal(76 / 255f);
    }

    [Fact]
    public void Squash_resizes_both_sides_and_center_keeps_the_aspect_ratio()
    {
        var wide = new RgbImage(40, 10, Enumerable.Range(0, 40 * 10 * 3).Select(i => (byte)i).ToArray());

        var center = new ImagePreprocessor(new DataConfig { InputSize = 10, CropFraction = 1.0 }).ResizeAndCrop(wide);
        var squash = new ImagePreprocessor(new DataConfig { InputSize = 10, CropFraction = 1.0, CropMode = CropMode.Squash }).ResizeAndCrop(wide);

        (center.Width, center.Height, squash.Width, squash.Height).Should().Be((10, 10, 10, 10));
        // Centre mode keeps the height (no resize) and cuts the middle 10 columns; squash shrinks all 40 columns into 10.
        center.Pixels.ToArray().Should().Equal(Resampler.ResizeAndCrop(wide, 40, 10, new PixelWindow(15, 0, 10, 10), Interpolation.Bicubic).Pixels.ToArray());
        squash.Pixels.ToArray().Should().Equal(Resampler.ResizeAndCrop(wide, 10, 10, new PixelWindow(0, 0, 10, 10), Interpolation.Bicubic).Pixels.ToArray());
        center.Pixels.ToArray().Should().NotEqual(squash.Pixels.ToArray());
    }
}
