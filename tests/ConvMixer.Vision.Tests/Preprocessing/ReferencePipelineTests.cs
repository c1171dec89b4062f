using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace ConvMixerNet.Vision.Tests;

/// <summary>Preprocessing against torchvision's transforms on PIL images, on real photographs.</summary>
public class ReferencePipelineTests(ITestOutputHelper output)
{
    public static TheoryData<string> CaseNames => new(PreprocessingFixtures.Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Model_input_matches_torchvision_on_PIL(string name)
    {
        var reference = PreprocessingFixtures.Cases.Single(c => c.Name == name);
        var preprocessor = new ImagePreprocessor(reference.Config, reference.ApplyExif);
        var expectedCrop = PreprocessingFixtures.ReadBytes(reference.CropPath);

        var crop = preprocessor.ResizeAndCrop(preprocessor.Decode(PreprocessingFixtures.Image(reference.Image)));
        var actual = new float[preprocessor.ValuesPerImage];
        preprocessor.Normalize(crop, actual);

        // The reference's normalised input: its 8-bit crop through ToTensor and Normalize, or torchvision's own floats.
        var expected = reference.FloatPath is { } path ? PreprocessingFixtures.ReadFloats(path) : TorchvisionNormalize(expectedCrop, reference.Config);
        var (mean, max) = Differences(actual, expected);
        var pixelsOff = crop.Pixels.ToArray().Zip(expectedCrop).Count(p => p.First != p.Second);
        output.WriteLine($"{name}: mean |diff| {mean:E2}, max |diff| {max:E2} (normalised units); {pixelsOff} of {expectedCrop.Length} 8-bit values differ");

        crop.Width.Should().Be(reference.CropShape[1]);
        crop.Height.Should().Be(reference.CropShape[0]);
        mean.Should().BeLessThanOrEqualTo(0.01, "the issue's bound on the mean difference");
        max.Should().BeLessThanOrEqualTo(0.1, "the issue's bound on the largest difference");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_eight_bit_crop_equals_PILs(string name)
    {
        // Stricter than the bound: the resampler reproduces PIL's fixed-point arithmetic, and Skia's
        // decoders (libjpeg-turbo, libpng, libwebp, its GIF and BMP readers) give PIL's pixels on these files.
        var reference = PreprocessingFixtures.Cases.Single(c => c.Name == name);
        var preprocessor = new ImagePreprocessor(reference.Config, reference.ApplyExif);
        var expected = PreprocessingFixtures.ReadBytes(reference.CropPath);

        var crop = preprocessor.ResizeAndCrop(preprocessor.Decode(PreprocessingFixtures.Image(reference.Image)));

        crop.Pixels.ToArray().Should().Equal(expected);
    }

    [Fact]
    public void Normalisation_is_bitwise_torchvisions()
    {
        foreach (var reference in PreprocessingFixtures.Cases.Where(c => c.FloatPath is not null))
        {
            var preprocessor = new ImagePreprocessor(reference.Config);
            var crop = new RgbImage(reference.CropShape[1], reference.CropShape[0], PreprocessingFixtures.ReadBytes(reference.CropPath));
            var actual = new float[preprocessor.ValuesPerImage];

            preprocessor.Normalize(crop, actual);

            actual.Should().Equal(PreprocessingFixtures.ReadFloats(reference.FloatPath!), $"case {reference.Name}");
        }
    }

    private static float[] TorchvisionNormalize(byte[] hwc, DataConfig config)
    {
        var plane = hwc.Length / 3;
        var chw = new float[hwc.Length];
        float[] mean = [.. config.Mean], std = [.. config.Std];
        for (var i = 0; i < plane; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                chw[(c * plane) + i] = ((hwc[(i * 3) + c] / 255f) - mean[c]) / std[c];
            }
        }

        return chw;
    }

    private static (double Mean, double Max) Differences(float[] actual, float[] expected)
    {
        actual.Length.Should().Be(expected.Length);
        double sum = 0, max = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var d = Math.Abs((double)actual[i] - expected[i]);
            sum += d;
            max = Math.Max(max, d);
        }

        return (sum / actual.Length, max);
    }
}
