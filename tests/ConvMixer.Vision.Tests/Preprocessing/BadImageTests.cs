using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

public class BadImageTests
{
    [Fact]
    public void Random_bytes_are_rejected_with_the_name_and_reason()
    {
        var noise = new byte[4096];
        new Random(7).NextBytes(noise);

        var act = () => ImageDecoder.Decode(noise, "noise.jpg");

        act.Should().Throw<ImageDecodeException>()
            .Where(e => e.ImageName == "noise.jpg" && e.Message.Contains("noise.jpg") && e.Message.Contains("not a supported image"));
    }

    [Fact]
    public void An_empty_file_is_rejected()
    {
        var path = TempFile.With([], ".png");

        var act = () => ImageDecoder.Decode(path);

        act.Should().Throw<ImageDecodeException>().WithMessage($"*{Path.GetFileName(path)}*empty*");
    }

    [Fact]
    public void A_missing_file_is_a_FileNotFoundException()
    {
        var act = () => ImageDecoder.Decode(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.jpg"));

        act.Should().Throw<FileNotFoundException>();
    }

    [Theory]
    [InlineData("cat_landscape.jpg")]
    [InlineData("camera_gray.png")]
    [InlineData("coffee.webp")]
    [InlineData("hubble_small.bmp")]
    public void Truncated_files_are_rejected_at_every_cut(string name)
    {
        var whole = File.ReadAllBytes(PreprocessingFixtures.Image(name));
        foreach (var fraction in new[] { 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98 })
        {
            var cut = whole.AsSpan(0, (int)(whole.Length * fraction)).ToArray();

            var act = () => ImageDecoder.Decode(cut, name);

            act.Should().Throw<ImageDecodeException>($"{name} cut at {fraction:P0} is incomplete")
                .Where(e => e.ImageName == name && (e.Reason.Contains("truncated") || e.Reason.Contains("cut short")));
        }
    }

    [Fact]
    public void A_gif_cut_inside_its_first_frame_is_rejected_and_cut_later_gives_the_whole_first_frame()
    {
        const string name = "coffee_two_frames.gif";
        var whole = File.ReadAllBytes(PreprocessingFixtures.Image(name));
        var firstFrame = ImageDecoder.Decode(whole, name).Pixels.ToArray();
        var rejected = 0;
        foreach (var fraction in new[] { 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98 })
        {
            var cut = whole.AsSpan(0, (int)(whole.Length * fraction)).ToArray();
            try
            {
                ImageDecoder.Decode(cut, name).Pixels.ToArray().Should().Equal(firstFrame, $"a cut at {fraction:P0} that decodes must hold the whole first frame");
            }
            catch (ImageDecodeException e)
            {
                e.ImageName.Should().Be(name);
                rejected++;
            }
        }

        rejected.Should().BeGreaterThanOrEqualTo(3, "cuts at 2%, 10% and 30% fall inside the first of two similar-sized frames");
    }

    [Fact]
    public void A_corrupt_jpeg_body_is_rejected_or_decoded_without_crashing()
    {
        // Flipping bytes inside the entropy-coded data cannot be detected reliably (JPEG has no checksum);
        // what matters is that decoding never crashes or hangs and errors are ImageDecodeExceptions.
        var whole = File.ReadAllBytes(PreprocessingFixtures.Image("cat_landscape.jpg"));
        var random = new Random(11);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var damaged = (byte[])whole.Clone();
            for (var i = 0; i < 50; i++)
            {
                damaged[random.Next(600, damaged.Length)] = (byte)random.Next(256);
            }

            try
            {
                var image = ImageDecoder.Decode(damaged, "damaged.jpg");
                (image.Width, image.Height).Should().Be((360, 240));
            }
            catch (ImageDecodeException e)
            {
                e.ImageName.Should().Be("damaged.jpg");
            }
        }
    }

    [Fact]
    public void A_corrupt_png_is_rejected()
    {
        // PNG chunks carry CRCs and zlib streams a checksum, so damage in the image data is detected.
        var damaged = File.ReadAllBytes(PreprocessingFixtures.Image("camera_gray.png"));
        for (var i = damaged.Length / 2; i < (damaged.Length / 2) + 64; i++)
        {
            damaged[i] ^= 0x5A;
        }

        var act = () => ImageDecoder.Decode(damaged, "damaged.png");

        act.Should().Throw<ImageDecodeException>().Where(e => e.Reason.Contains("PNG"));
    }

    [Theory]
    [InlineData(60000, 60000)] // 3.6 gigapixels
    [InlineData(10001, 10000)] // just over the limit: without the check its 400 MB pixel buffer would be allocated
    public void A_header_claiming_too_many_pixels_is_rejected_before_allocating_the_pixels(int width, int height)
    {
        // A valid BMP header (BITMAPINFOHEADER, 24 bits per pixel) with no pixel data.
        var bmp = new byte[54];
        "BM"u8.CopyTo(bmp);
        BitConverter.GetBytes(54).CopyTo(bmp, 10);   // pixel data offset
        BitConverter.GetBytes(40).CopyTo(bmp, 14);   // BITMAPINFOHEADER
        BitConverter.GetBytes(width).CopyTo(bmp, 18);
        BitConverter.GetBytes(height).CopyTo(bmp, 22);
        BitConverter.GetBytes((short)1).CopyTo(bmp, 26);
        BitConverter.GetBytes((short)24).CopyTo(bmp, 28);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var act = () => ImageDecoder.Decode(bmp, "huge.bmp");

        act.Should().Throw<ImageDecodeException>()
            .Where(e => e.ImageName == "huge.bmp" && e.Reason.Contains($"claims to be {width}x{height} pixels") && e.Reason.Contains(ImageDecoder.MaxPixels.ToString("N0")));
        // The decoder's pixel buffer is a managed array, so refusing before it shows in this thread's allocations.
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1_000_000, "no buffer of the claimed size may be allocated");
    }

    [Fact]
    public void Streams_and_byte_arrays_decode_like_files()
    {
        var path = PreprocessingFixtures.Image("coffee.webp");
        var fromFile = ImageDecoder.Decode(path);
        using var stream = File.OpenRead(path);

        ImageDecoder.Decode(stream, "coffee.webp").Pixels.ToArray().Should().Equal(fromFile.Pixels.ToArray());
        ImageDecoder.Decode(File.ReadAllBytes(path)).Pixels.ToArray().Should().Equal(fromFile.Pixels.ToArray());
    }
}
