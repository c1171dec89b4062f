using System.Buffers.Binary;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

/// <summary>Image inputs that would hang a reader or make a small file demand gigabytes.</summary>
public class HostileImageTests
{
    [Fact]
    public async Task Devices_and_fifos_are_refused_at_once_without_reading()
    {
        using var dir = new TemporaryDirectory();
        NativeFiles.CreateFifo(dir.File("pipe.png"));

        var decodes = Task.Run(() => new[] { "/dev/zero", "/dev/urandom", dir.File("pipe.png") }.Select(path =>
        {
            try
            {
                ImageDecoder.Decode(path);
                return "decoded";
            }
            catch (ImageDecodeException e)
            {
                return e.Reason;
            }
        }).ToList());

        var reasons = await decodes.WaitAsync(TimeSpan.FromSeconds(20)); // a FIFO or device must not block or be read without end
        reasons.Should().OnlyContain(reason => reason.Contains("not a regular file"));
    }

    [Fact]
    public void Tiny_pngs_declaring_100_megapixels_are_refused_before_allocating_while_the_other_images_are_classified()
    {
        using var dir = new TemporaryDirectory();
        var bomb = PngDeclaring(10000, 9999);
        bomb.Length.Should().BeLessThan(200);
        var paths = Enumerable.Range(0, 64).Select(i => dir.File($"bomb{i}.png")).ToList();
        paths.ForEach(p => File.WriteAllBytes(p, bomb));
        var cat = PreprocessingFixtures.Image("cat_landscape.jpg");
        paths.Insert(3, cat);
        using var classifier = new ImageClassifier(new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 4, numClasses: 3),
            new ImageClassifierOptions { DataConfig = new DataConfig { InputSize = 32 }, BatchSize = 4 });
        var catAlone = Measure(() => classifier.ClassifyMany([cat], topK: 1).ToList());

        List<ImageClassification> results = [];
        var withBombs = Measure(() => results = classifier.ClassifyMany(paths, topK: 1).ToList());

        results.Select(r => r.Source).Should().Equal(paths);
        results.Where(r => r.Succeeded).Should().ContainSingle().Which.Source.Should().EndWith("cat_landscape.jpg");
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.Error!.Contains("cannot hold"));
        // A bomb that got as far as its pixels would reserve the whole budget first, then allocate 400 MB of RGBA
        // (native) and a 300 MB RGB array.
        withBombs.Reserved.Should().Be(catAlone.Reserved, "the bombs reserve no decode memory: only the cat does");
        (withBombs.Allocated - catAlone.Allocated).Should().BeLessThan(64 * RefusalBytes, "a refusal costs a file buffer and an exception, never pixels");
    }

    [Fact]
    public void A_png_whose_pixel_data_is_cut_short_holds_only_its_reservation_and_reports_the_truncation()
    {
        // 4000x4000 declared in a file just large enough to pass the deflate bound: decoded, found truncated.
        var png = PngDeclaring(4000, 4000).Concat(new byte[16_000]).ToArray();
        var budget = DecodeMemoryBudget.Shared;
        budget.Reserved.Should().Be(0, "nothing else decodes (this assembly's tests run one at a time)");
        var reservedBefore = budget.ReservedInTotal;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var act = () => ImageDecoder.Decode(png, "cut.png");

        act.Should().Throw<ImageDecodeException>().Which.Reason.Should().Contain("truncated");
        (budget.ReservedInTotal - reservedBefore).Should().Be(4000L * 4000 * 10, "the decode reserves its RGBA buffer, RGB copy and rotated copy before taking any of them");
        budget.Reserved.Should().Be(0, "a failed decode gives its reservation back");
        // The 64 MB RGBA buffer is native memory, freed on failure; the 48 MB RGB copy is never made of a truncated image.
        (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore).Should().BeLessThan(RefusalBytes);
    }

    [Fact]
    public void Batches_of_large_inputs_are_split_so_their_buffer_stays_bounded()
    {
        using var big = new ImageClassifier(new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 4, numClasses: 3),
            new ImageClassifierOptions { DataConfig = new DataConfig { InputSize = 8192 }, BatchSize = 16 });
        big.EffectiveBatchSize.Should().Be(1, "11 images of 3x8192x8192 floats overflowed one buffer");

        // Two 3x3348x3348 inputs are just over the 256 MB a batch's floats may take, so each gets a batch of its own.
        using var large = new ImageClassifier(new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 4, numClasses: 3),
            new ImageClassifierOptions { DataConfig = new DataConfig { InputSize = 3348, CropFraction = 1, Interpolation = Interpolation.Nearest }, BatchSize = 16 });
        var photo = PreprocessingFixtures.Image("hubble_small.bmp");
        var oneImage = Measure(() => large.ClassifyMany([photo], topK: 1).ToList()).Allocated;
        oneImage.Should().BeGreaterThan(large.Preprocessor.ValuesPerImage * sizeof(float), "an image's floats are allocated");

        using var twoImages = large.ClassifyMany([photo, photo], topK: 1).GetEnumerator();
        var firstResult = Measure(() => twoImages.MoveNext().Should().BeTrue()).Allocated;

        firstResult.Should().BeLessThan(oneImage * 3 / 2, "the first result comes from a batch of one image, not of both");
        twoImages.MoveNext().Should().BeTrue();
        twoImages.MoveNext().Should().BeFalse();

        using var small = new ImageClassifier(new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 4, numClasses: 3),
            new ImageClassifierOptions { DataConfig = new DataConfig { InputSize = 224 }, BatchSize = 16 });
        small.EffectiveBatchSize.Should().Be(16);
    }

    // Managed bytes a refused image may cost: the file stream's 64 KiB buffer, the codec's wrappers, the exception.
    private const long RefusalBytes = 1 << 20;

    // What an action reserves from the decode budget and allocates on the managed heap (all threads: this assembly's
    // tests run one at a time).
    private static (long Reserved, long Allocated) Measure(Action action)
    {
        var reserved = DecodeMemoryBudget.Shared.ReservedInTotal;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        action();
        return (DecodeMemoryBudget.Shared.ReservedInTotal - reserved, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    // A PNG signature, an IHDR declaring width x height RGB pixels, an empty IDAT and IEND: about a hundred bytes.
    internal static byte[] PngDeclaring(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    // PNG's CRC-32 (the zlib polynomial), bit by bit: a few hundred bytes need no table.
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }
}
