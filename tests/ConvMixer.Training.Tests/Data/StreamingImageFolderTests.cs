using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>Photo folders streamed through Vision's timm training transform, and the choice between streaming and memory.</summary>
public class StreamingImageFolderTests
{
    [Fact]
    public void Photos_are_decoded_cropped_and_normalised_by_the_training_transform()
    {
        using var dir = new TemporaryDirectory();
        var source = AugmentationFixture.Source;
        foreach (var (name, i) in new[] { ("cat", 0), ("cat", 1), ("dog", 2) })
        {
            Directory.CreateDirectory(dir.File(name));
            File.WriteAllBytes(dir.File($"{name}/{i}.png"), ImageEncoder.EncodePng(i == 1 ? ImageOps.Invert(source) : source));
        }

        File.WriteAllText(dir.File("dog/broken.png"), "not a png");
        var (files, classes, unusable) = StreamingImageFolder.List(dir.Path, ImageDecoder.FileExtensions);
        classes.Should().Equal("cat", "dog");
        files.Should().HaveCount(4);
        unusable.Should().BeEmpty();

        var data = DataConfig.ImageNet;
        var transform = new TrainingTransform(data, new RandomResizedCrop(16, (0.3, 1.0), (0.75, 4.0 / 3.0), Interpolation.Bicubic), HorizontalFlip: 0);
        var loader = new StreamingBatchLoader(files, classes, new TrainingImageReader(transform), batchSize: 4, seed: 2, workers: 2);
        var batch = loader.Batches(loader.SequentialOrder(), 0).Single();
        batch.Count.Should().Be(3);
        loader.Skipped.Should().ContainSingle().Which.Path.Should().EndWith("broken.png");

        // The first image, redone by hand: the crop the same seed draws, then (v / 255 - mean) / std.
        var random = new Random(SeedMixer.Mix(2, 0, 0));
        var box = transform.Crop.SampleBox(source.Width, source.Height, random);
        var expected = ImageOps.ResizedCrop(source, box.Top, box.Left, box.Height, box.Width, 16, Interpolation.Bicubic);
        var values = new float[3 * 16 * 16];
        new ImagePreprocessor(data with { InputSize = 16, CropFraction = 1 }).Normalize(expected, values);
        batch.Pixels.AsSpan(0, values.Length).ToArray().Should().Equal(values);
    }

    [Fact]
    public void Streaming_and_in_memory_folders_refuse_a_bad_layout_with_the_same_message()
    {
        using var dir = new TemporaryDirectory();
        Directory.CreateDirectory(dir.File("cat"));
        File.WriteAllBytes(dir.File("cat/0.png"), ImageEncoder.EncodePng(AugmentationFixture.Source));

        var streaming = () => StreamingImageFolder.List(dir.Path, ImageDecoder.FileExtensions);
        var inMemory = () => ImageFolderLoader.Load(dir.Path, 8, ImageFileDecoder.Default);

        var message = inMemory.Should().Throw<InvalidDataException>().Which.Message;
        message.Should().Contain("has one class folder ('cat')");
        streaming.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Theory]
    [InlineData(20_000, 3, 224, true)]
    [InlineData(1_000, 3, 224, false)]
    [InlineData(60_000, 1, 28, false)]
    public void Streaming_is_chosen_when_decoded_images_exceed_the_budget(int images, int channels, int side, bool stream)
    {
        StreamingImageFolder.ShouldStream(images, channels, side).Should().Be(stream);
        StreamingImageFolder.ShouldStream(images, channels, side, memoryBudget: 0).Should().BeTrue("a zero budget forces streaming");
        StreamingImageFolder.ShouldStream(images, channels, side, memoryBudget: long.MaxValue).Should().BeFalse("an unlimited budget forces memory");
    }
}
