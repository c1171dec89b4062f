using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class IdxFileTests
{
    private static readonly byte[] Pixels = Enumerable.Range(0, 3 * 2 * 2).Select(i => (byte)(i * 20)).ToArray();
    private static readonly byte[] Labels = [2, 0, 1];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_raw_and_gzip_files_into_a_dataset(bool gzip)
    {
        using var dir = new TemporaryDirectory();
        var images = dir.File("images.idx");
        var labels = dir.File("labels.idx");
        Write(images, IdxWriter.Encode([3, 2, 2], Pixels), gzip);
        Write(labels, IdxWriter.Encode([3], Labels), gzip);

        var dataset = IdxLoader.Load(images, labels, ["a", "b", "c"]);

        dataset.Count.Should().Be(3);
        (dataset.Channels, dataset.Height, dataset.Width).Should().Be((1, 2, 2));
        dataset.LabelAt(0).Should().Be(2);
        var second = new float[4];
        dataset.CopyPixels(1, second);
        second.Should().Equal([80 / 255f, 100 / 255f, 120 / 255f, 140 / 255f], (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void Loads_a_split_from_an_mnist_layout_directory()
    {
        using var dir = new TemporaryDirectory();
        IdxWriter.WriteGzip(dir.File("t10k-images-idx3-ubyte.gz"), IdxWriter.Encode([3, 2, 2], Pixels));
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), IdxWriter.Encode([3], Labels));

        var test = IdxLoader.LoadSplit(dir.Path, train: false);

        test.Count.Should().Be(3);
        test.ClassNames.Should().Equal(IdxLoader.DigitClasses);
        IdxLoader.IsIdxDirectory(dir.Path).Should().BeFalse("the training split is missing");
        FluentActions.Invoking(() => IdxLoader.LoadSplit(dir.Path, train: true))
            .Should().Throw<FileNotFoundException>().WithMessage("*train-images-idx3-ubyte*");
    }

    [Fact]
    public void A_wrong_magic_number_is_named()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("bad.idx");
        var bytes = IdxWriter.Encode([3], Labels);
        bytes[0] = 0x50; // e.g. a PNG or text file
        File.WriteAllBytes(path, bytes);

        FluentActions.Invoking(() => IdxFile.Read(path))
            .Should().Throw<IdxFormatException>().WithMessage("*bad.idx*magic number*0x50*");
    }

    [Fact]
    public void An_unsupported_value_type_is_named()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("floats.idx");
        File.WriteAllBytes(path, IdxWriter.Encode([1], [0, 0, 0, 0], type: 0x0D));

        FluentActions.Invoking(() => IdxFile.Read(path))
            .Should().Throw<IdxFormatException>().WithMessage("*value type is 0x0D*");
    }

    [Theory]
    [InlineData(-2, "truncated")]
    [InlineData(3, "trailing data")]
    public void A_size_that_does_not_match_the_header_is_reported(int extraBytes, string kind)
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("images.idx");
        var bytes = IdxWriter.Encode([3, 2, 2], Pixels);
        Array.Resize(ref bytes, bytes.Length + extraBytes);
        File.WriteAllBytes(path, bytes);

        FluentActions.Invoking(() => IdxFile.Read(path))
            .Should().Throw<IdxFormatException>().WithMessage($"*3 x 2 x 2 = 12 values*{kind}*");
    }

    [Fact]
    public void A_corrupt_gzip_stream_is_reported_as_such()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("labels.idx.gz");
        IdxWriter.WriteGzip(path, IdxWriter.Encode([3], Labels));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..12].Concat(new byte[20]).ToArray());

        FluentActions.Invoking(() => IdxFile.Read(path))
            .Should().Throw<IdxFormatException>().WithMessage("*labels.idx.gz*");
    }

    [Fact]
    public void Images_and_labels_of_different_counts_are_rejected()
    {
        using var dir = new TemporaryDirectory();
        File.WriteAllBytes(dir.File("images"), IdxWriter.Encode([3, 2, 2], Pixels));
        File.WriteAllBytes(dir.File("labels"), IdxWriter.Encode([2], [0, 1]));

        FluentActions.Invoking(() => IdxLoader.Load(dir.File("images"), dir.File("labels")))
            .Should().Throw<IdxFormatException>().WithMessage("*2 labels*3 images*");
    }

    private static void Write(string path, byte[] content, bool gzip)
    {
        if (gzip)
        {
            IdxWriter.WriteGzip(path, content);
        }
        else
        {
            File.WriteAllBytes(path, content);
        }
    }
}
