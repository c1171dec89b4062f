using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

public class ExifOrientationTests
{
    public static TheoryData<int> Tags => new(PreprocessingFixtures.Orientations.Select(o => o.Tag));

    [Theory]
    [MemberData(nameof(Tags))]
    public void Tagged_photos_come_out_upright_as_with_PILs_exif_transpose(int tag)
    {
        var reference = PreprocessingFixtures.Orientations.Single(o => o.Tag == tag);

        var image = ImageDecoder.Decode(PreprocessingFixtures.Image(reference.Image));

        (image.Height, image.Width).Should().Be((reference.UprightShape[0], reference.UprightShape[1]));
        image.Pixels.ToArray().Should().Equal(PreprocessingFixtures.ReadBytes(reference.UprightPath));
    }

    [Theory]
    [MemberData(nameof(Tags))]
    public void Every_orientation_shows_the_same_picture(int tag)
    {
        // The files store differently transformed pixels (JPEG-compressed separately), so they agree only
        // approximately; a wrong rotation or flip would be off by far more than compression noise.
        var upright = ImageDecoder.Decode(PreprocessingFixtures.Image("exif_orientation_1.jpg"));
        var image = ImageDecoder.Decode(PreprocessingFixtures.Image($"exif_orientation_{tag}.jpg"));

        (image.Width, image.Height).Should().Be((upright.Width, upright.Height));
        MeanAbsoluteDifference(image, upright).Should().BeLessThan(4.0);
        var mirrored = ImageDecoder.Decode(PreprocessingFixtures.Image("exif_orientation_2.jpg"), applyExifOrientation: false);
        MeanAbsoluteDifference(mirrored, upright).Should().BeGreaterThan(20.0, "the test photo is not symmetric, so orientation errors show");
    }

    [Fact]
    public void Orientation_can_be_ignored_as_timms_loader_does()
    {
        var stored = ImageDecoder.Decode(PreprocessingFixtures.Image("exif_orientation_6.jpg"), applyExifOrientation: false);
        var upright = ImageDecoder.Decode(PreprocessingFixtures.Image("exif_orientation_6.jpg"));

        (stored.Width, stored.Height).Should().Be((upright.Height, upright.Width));
        new ImagePreprocessor(applyExifOrientation: false).Decode(PreprocessingFixtures.Image("exif_orientation_6.jpg"))
            .Pixels.ToArray().Should().Equal(stored.Pixels.ToArray());
    }

    private static double MeanAbsoluteDifference(RgbImage a, RgbImage b) =>
        a.Pixels.ToArray().Zip(b.Pixels.ToArray()).Average(p => Math.Abs(p.First - p.Second));
}
