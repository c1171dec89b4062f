using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>The random parameters of RandomResizedCrop, ColorJitter and RandomErasing follow timm's/torchvision's distributions.</summary>
public class RandomTransformTests
{
    [Fact]
    public void Resized_crop_boxes_lie_inside_and_follow_scale_and_ratio()
    {
        var crop = new RandomResizedCrop(24);
        var random = new Random(5);
        var areas = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            var (top, left, h, w) = crop.SampleBox(41, 31, random);
            top.Should().BeGreaterThanOrEqualTo(0);
            left.Should().BeGreaterThanOrEqualTo(0);
            (top + h).Should().BeLessThanOrEqualTo(31);
            (left + w).Should().BeLessThanOrEqualTo(41);
            areas.Add(h * w / (41.0 * 31.0));
        }

        areas.Min().Should().BeLessThan(0.12, "areas start at 8% of the image");
        areas.Average().Should().BeInRange(0.4, 0.62, "the area fraction is uniform in [0.08, 1] before rejections of too-wide boxes");
    }

    [Fact]
    public void Resized_crop_falls_back_to_timms_central_crop()
    {
        // A 100x10 strip: no box of ratio <= 4/3 and area >= 90% fits, so all ten tries fail.
        var crop = new RandomResizedCrop(8, (0.9, 1.0), (3.0 / 4.0, 4.0 / 3.0));
        crop.SampleBox(100, 10, new Random(1)).Should().Be((0, 43, 10, 13), "timm: height 10, width round(10 * 4/3) = 13, centred");
        crop.Apply(new RgbImage(100, 10, new byte[3000]), new Random(1)).Width.Should().Be(8);
    }

    [Fact]
    public void Colour_jitter_factors_are_drawn_per_image()
    {
        var jitter = new ColorJitter(0.4, 0.4, 0.4, 0.1);
        var source = AugmentationFixture.Source;
        var a = jitter.Apply(source, new Random(1)).Pixels.ToArray();
        jitter.Apply(source, new Random(1)).Pixels.ToArray().Should().Equal(a);
        jitter.Apply(source, new Random(2)).Pixels.ToArray().Should().NotEqual(a);
        new ColorJitter(0, 0, 0, 0).Apply(source, new Random(1)).Pixels.ToArray().Should().Equal(source.Pixels.ToArray(), "no jitter leaves the image");
    }

    [Fact]
    public void Random_erasing_replaces_only_its_boxes_with_standard_normal_noise()
    {
        var erasing = new RandomErasing(Probability: 1.0);
        var random = new Random(9);
        var erasedValues = new List<float>();
        var boxesSeen = 0;
        for (var i = 0; i < 200; i++)
        {
            var image = Enumerable.Repeat(7f, 3 * 32 * 32).ToArray();
            var boxes = erasing.Apply(image, 3, 32, 32, random);
            boxes.Should().HaveCountLessThanOrEqualTo(1);
            boxesSeen += boxes.Count;
            var inside = new bool[32 * 32];
            foreach (var (top, left, h, w) in boxes)
            {
                (h * w / 1024.0).Should().BeInRange(0.01, 0.36);
                for (var y = top; y < top + h; y++)
                {
                    for (var x = left; x < left + w; x++)
                    {
                        inside[(y * 32) + x] = true;
                    }
                }
            }

            for (var k = 0; k < image.Length; k++)
            {
                if (inside[k % 1024])
                {
                    erasedValues.Add(image[k]);
                }
                else
                {
                    image[k].Should().Be(7f, "pixels outside the box are untouched");
                }
            }
        }

        boxesSeen.Should().BeGreaterThan(190, "with probability 1 almost every image gets its box (ten tries)");
        erasedValues.Average(v => (double)v).Should().BeApproximately(0, 0.02);
        Math.Sqrt(erasedValues.Average(v => (double)v * v)).Should().BeApproximately(1, 0.02);
        var none = new RandomErasing(Probability: 0.0);
        none.Apply(new float[3 * 32 * 32], 3, 32, 32, random).Should().BeEmpty();
    }
}
