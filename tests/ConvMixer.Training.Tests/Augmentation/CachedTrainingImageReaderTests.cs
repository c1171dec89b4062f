using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>The in-memory path's reader: each photo decoded once and kept at the training size; samples as the streaming reader's for photos no larger.</summary>
public class CachedTrainingImageReaderTests
{
    private static readonly TrainingTransform Transform =
        new(DataConfig.ImageNet with { InputSize = 16 }, new RandomResizedCrop(16, (0.3, 1.0), (0.75, 4.0 / 3.0)), RandAugment: RandAugment.Parse("rand-m9-mstd0.5-inc1"));

    [Fact]
    public void A_photo_is_decoded_once_and_kept_scaled_to_the_training_size()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("large.png");
        File.WriteAllBytes(path, ImageEncoder.EncodePng(Photo(48, 32)));
        var reader = new CachedTrainingImageReader(Transform);
        var first = Read(reader, path, seed: 1);

        File.Delete(path);

        Read(reader, path, seed: 1).Should().Equal(first, "the kept image gives the same sample for the same draws, without the file");
        reader.Count.Should().Be(1);
    }

    [Fact]
    public void The_kept_photo_is_resized_to_its_shorter_side_before_the_crop()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("large.png");
        var photo = Photo(48, 32);
        File.WriteAllBytes(path, ImageEncoder.EncodePng(photo));
        // A crop that cannot fit the area (scale 1, ratio 1 of a 3:2 image) falls back to timm's centre square, resized
        // to the same size, which copies it; no flip. The sample is then the centre of the kept 24x16 image.
        var centre = new TrainingTransform(DataConfig.ImageNet with { InputSize = 16 }, new RandomResizedCrop(16, (1.0, 1.0), (1.0, 1.0), Interpolation.Bicubic), HorizontalFlip: 0);
        var sample = Read(new CachedTrainingImageReader(centre), path, seed: 2);

        // torchvision's Resize(16) + CenterCrop(16) of the photo, as the library's preprocessing computes it.
        var expected = new ImagePreprocessor(DataConfig.ImageNet with { InputSize = 16, CropFraction = 1, Interpolation = Interpolation.Bicubic }).Process(photo);
        sample.Should().Equal(expected);
        Read(new TrainingImageReader(centre), path, seed: 2).Should().NotEqual(expected, "the streaming reader crops the full-resolution photo, whose resize sees other pixels at the crop's edges");
    }

    [Fact]
    public void A_photo_no_larger_than_the_training_size_gives_the_streaming_readers_samples_and_unreadable_files_fail_every_time()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("small.png");
        File.WriteAllBytes(path, ImageEncoder.EncodePng(Photo(20, 16)));
        var cached = new CachedTrainingImageReader(Transform);

        Read(cached, path, seed: 4).Should().Equal(Read(new TrainingImageReader(Transform), path, seed: 4));

        var broken = dir.File("broken.png");
        File.WriteAllText(broken, "not a png");
        for (var attempt = 0; attempt < 2; attempt++)
        {
            FluentActions.Invoking(() => Read(cached, broken, seed: 0)).Should().Throw<IOException>("a failed decode is not kept");
        }

        cached.Count.Should().Be(1);
    }

    private static float[] Read(ITrainingImageReader reader, string path, int seed)
    {
        var values = new float[3 * 16 * 16];
        reader.Read(path, new Random(seed), values);
        return values;
    }

    private static RgbImage Photo(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((i * 37 % 251) ^ (i / 7));
        }

        return new RgbImage(width, height, pixels);
    }
}
