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

    private static void WritePng(string path, int width, int height, SKColor color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
