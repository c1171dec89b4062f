using FluentAssertions;
using SkiaSharp;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class ImageFolderLoaderTests
{
    [Fact]
    public void Loads_one_class_per_sub_folder_and_skips_an_unreadable_file_with_its_reason()
    {
        using var dir = new TemporaryDirectory();
        WritePng(dir.File("cats/a.png"), 12, 10, SKColors.Red);
        WritePng(dir.File("cats/b.png"), 10, 10, SKColors.Red);
        WritePng(dir.File("dogs/c.png"), 16, 8, SKColors.Blue);
        File.WriteAllText(dir.File("dogs/broken.jpg"), "this is not a JPEG");
        File.WriteAllText(dir.File("dogs/notes.txt"), "ignored: not an image extension");

        var result = ImageFolderLoader.Load(dir.Path, imageSize: 8, ImageFileDecoder.Default);

        result.Dataset.ClassNames.Should().Equal("cats", "dogs");
        result.Dataset.Count.Should().Be(3);
        (result.Dataset.Channels, result.Dataset.Height, result.Dataset.Width).Should().Be((3, 8, 8));
        Enumerable.Range(0, 3).Select(result.Dataset.LabelAt).Should().Equal(0, 0, 1);
        result.Skipped.Should().ContainSingle().Which.Path.Should().EndWith("broken.jpg");
        result.Skipped[0].Reason.Should().NotBeNullOrWhiteSpace();
        result.ToString().Should().Be("3 images in 2 classes, 1 unreadable file(s) skipped");

        var blue = new float[3 * 8 * 8];
        result.Dataset.CopyPixels(2, blue);
        blue[..64].Should().OnlyContain(v => v == 0f, "the red plane of a blue image");
        blue[128..].Should().OnlyContain(v => v == 1f, "the blue plane of a blue image");
    }

    [Fact]
    public void A_validation_folder_keeps_the_training_classes_and_unknown_folders_are_named()
    {
        using var dir = new TemporaryDirectory();
        WritePng(dir.File("val/dogs/c.png"), 8, 8, SKColors.Blue);
        WritePng(dir.File("val/horses/h.png"), 8, 8, SKColors.Blue);

        FluentActions.Invoking(() => ImageFolderLoader.Load(dir.File("val"), 8, ImageFileDecoder.Default, classNames: ["cats", "dogs"]))
            .Should().Throw<InvalidDataException>().WithMessage("*horses*");
        Directory.Delete(dir.File("val/horses"), recursive: true);
        var validation = ImageFolderLoader.Load(dir.File("val"), 8, ImageFileDecoder.Default, classNames: ["cats", "dogs"]).Dataset;
        validation.ClassNames.Should().Equal("cats", "dogs");
        validation.LabelAt(0).Should().Be(1);
    }

    [Fact]
    public void A_limit_decodes_only_the_first_files()
    {
        using var dir = new TemporaryDirectory();
        WritePng(dir.File("cats/a.png"), 8, 8, SKColors.Red);
        WritePng(dir.File("cats/b.png"), 8, 8, SKColors.Red);
        Directory.CreateDirectory(dir.File("dogs"));
        File.WriteAllText(dir.File("dogs/broken.png"), "never read: beyond the limit");

        var result = ImageFolderLoader.Load(dir.Path, 8, ImageFileDecoder.Default, limit: 2);

        result.Dataset.Count.Should().Be(2);
        result.Skipped.Should().BeEmpty("the file after the first two is not decoded");
    }

    [Fact]
    public void Images_beyond_what_memory_can_hold_are_refused_before_decoding_with_the_way_out()
    {
        using var dir = new TemporaryDirectory();
        WritePng(dir.File("cats/a.png"), 8, 8, SKColors.Red);
        WritePng(dir.File("cats/b.png"), 8, 8, SKColors.Red);
        WritePng(dir.File("dogs/c.png"), 8, 8, SKColors.Blue);

        // 3 x 3 x 16,000² bytes = 2.1 GiB
        FluentActions.Invoking(() => ImageFolderLoader.Load(dir.Path, 16_000, ImageFileDecoder.Default))
            .Should().Throw<InvalidDataException>().WithMessage("The 3 images in*at 3x16000x16000 are 2197 MiB of pixels, more than one in-memory data set holds*ImageFolderLoader.Open*");
    }

    [Fact]
    public void Open_reads_a_folder_over_the_budget_from_disk_with_the_same_pixels_and_skipped_files()
    {
        using var dir = new TemporaryDirectory();
        WritePng(dir.File("cats/a.png"), 12, 10, SKColors.Red);
        WritePng(dir.File("cats/b.png"), 10, 14, SKColors.Green);
        WritePng(dir.File("dogs/c.png"), 16, 8, SKColors.Blue);
        File.WriteAllText(dir.File("dogs/broken.jpg"), "this is not a JPEG");
        var decoder = new ImageFileDecoder(DataConfig.ImageNet with { InputSize = 8 });

        var inMemory = ImageFolderLoader.Load(dir.Path, 8, decoder, 0.875);
        var small = ImageFolderLoader.Open(dir.Path, 8, decoder, 0.875);
        var large = ImageFolderLoader.Open(dir.Path, 8, decoder, 0.875, memoryBudget: 3 * 8 * 8 * 3 - 1);

        small.FromDisk.Should().BeFalse("three 8x8 images fit the default budget");
        large.FromDisk.Should().BeTrue();
        large.Dataset.Should().BeOfType<ImageFileDataset>();
        large.Skipped.Select(s => Path.GetFileName(s.Path)).Should().Equal("broken.jpg");
        large.Dataset.ClassNames.Should().Equal("cats", "dogs");
        Enumerable.Range(0, large.Dataset.Count).Select(large.Dataset.LabelAt).Should().Equal(0, 0, 1);
        for (var i = 0; i < 3; i++)
        {
            var (expected, actual) = (new float[3 * 8 * 8], new float[3 * 8 * 8]);
            inMemory.Dataset.CopyPixels(i, expected);
            large.Dataset.CopyPixels(i, actual);
            actual.Should().Equal(expected, $"image {i} is decoded and cropped alike from disk and into memory");
        }

        ImageFolderLoader.Open(dir.Path, 8, decoder, limit: 1, memoryBudget: 0).Dataset.Count.Should().Be(1);
    }

    private static void WritePng(string path, int width, int height, SKColor color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
