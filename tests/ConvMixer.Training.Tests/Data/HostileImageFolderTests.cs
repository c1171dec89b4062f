using FluentAssertions;
using SkiaSharp;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>Image folders as careless hands leave them: link loops, links between classes, odd names, too few classes.</summary>
public class HostileImageFolderTests
{
    [Fact]
    public void A_link_loop_inside_a_class_and_a_link_into_another_class_change_no_counts_or_labels()
    {
        using var dir = new TemporaryDirectory();
        for (var i = 0; i < 3; i++)
        {
            WritePng(dir.File($"bird/b{i}.png"), SKColors.Blue);
            WritePng(dir.File($"cat/c{i}.png"), SKColors.Red);
        }

        Directory.CreateSymbolicLink(dir.File("bird/again"), ".");
        Directory.CreateSymbolicLink(dir.File("bird/cats"), "../cat");
        Directory.CreateDirectory(dir.File("cat/deep"));
        Directory.CreateSymbolicLink(dir.File("cat/deep/up"), "../..");

        var result = ImageFolderLoader.Load(dir.Path, imageSize: 4, ImageFileDecoder.Default);

        result.Dataset.Count.Should().Be(6);
        Enumerable.Range(0, 6).Select(result.Dataset.LabelAt).Should().Equal(0, 0, 0, 1, 1, 1);
        result.Skipped.Should().BeEmpty();
    }

    [Fact]
    public void One_class_empty_classes_and_class_folders_whose_names_are_not_UTF8_are_refused_by_name()
    {
        using var dir = new TemporaryDirectory();
        WritePng(dir.File("only/a.png"), SKColors.Red);
        Invoking(dir.Path).Should().Throw<InvalidDataException>().WithMessage("*one class folder*only*two classes*");

        Directory.CreateDirectory(dir.File("empty"));
        Invoking(dir.Path).Should().Throw<InvalidDataException>().WithMessage("*without images: empty*");

        Directory.Delete(dir.File("empty"));
        WritePng(dir.File("second/b.png"), SKColors.Blue);
        NativeFiles.CreateFolderWithRawName(dir.Path, [(byte)'c', 0xff]);
        Invoking(dir.Path).Should().Throw<InvalidDataException>().WithMessage("*not valid UTF-8*");
    }

    [Fact]
    public void A_fifo_and_an_undecodable_file_name_among_the_images_are_skipped_with_their_reason()
    {
        using var dir = new TemporaryDirectory();
        WritePng(dir.File("a/1.png"), SKColors.Red);
        WritePng(dir.File("b/2.png"), SKColors.Blue);
        NativeFiles.CreateFifo(dir.File("a/pipe.png"));
        NativeFiles.CreateFileWithRawName(dir.File("b"), [(byte)'x', 0xff, (byte)'.', (byte)'p', (byte)'n', (byte)'g'], [1, 2, 3]);

        var result = ImageFolderLoader.Load(dir.Path, imageSize: 4, ImageFileDecoder.Default);

        result.Dataset.Count.Should().Be(2);
        result.Skipped.Should().HaveCount(2);
        result.Skipped.Should().Contain(s => s.Path.EndsWith("pipe.png") && s.Reason.Contains("not a regular file"));
        result.Skipped.Should().Contain(s => s.Reason.Contains("not valid UTF-8"));
    }

    private static Func<ImageFolderLoadResult> Invoking(string root) => () => ImageFolderLoader.Load(root, 4, ImageFileDecoder.Default);

    private static void WritePng(string path, SKColor color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(6, 6);
        bitmap.Erase(color);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
