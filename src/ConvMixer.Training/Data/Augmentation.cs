namespace ConvMixerNet.Training;

/// <summary>
/// Random training-time transforms applied per image: a random crop of the image padded by
/// <see cref="CropPadding"/> zero pixels on every side (torchvision's <c>RandomCrop(size, padding)</c>), and a
/// horizontal flip with probability 1/2.
/// </summary>
public sealed record Augmentation(int CropPadding = 0, bool HorizontalFlip = false)
{
    /// <summary>No augmentation.</summary>
    public static Augmentation None { get; } = new();

    /// <summary>True when the augmentation changes anything.</summary>
    public bool IsEnabled => CropPadding > 0 || HorizontalFlip;

    /// <summary>
    /// Writes an augmented copy of <paramref name="source"/> (<c>[C, H, W]</c>) to <paramref name="destination"/>,
    /// drawing the random choices from <paramref name="random"/>.
    /// </summary>
    internal void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width, Random random)
    {
        var dy = CropPadding > 0 ? random.Next(-CropPadding, CropPadding + 1) : 0;
        var dx = CropPadding > 0 ? random.Next(-CropPadding, CropPadding + 1) : 0;
        var flip = HorizontalFlip && random.Next(2) == 1;
        Span<float> black = stackalloc float[channels];
        black.Clear();

        // The crop's window starts dy rows and dx columns from the image's corner: the content moves up by dy and left
        // by dx. Crop first, then flip the cropped image, as torchvision's Compose([RandomCrop, RandomHorizontalFlip]).
        Move(source, destination, channels, height, width, -dy, -dx, flip, black);
    }

    /// <summary>
    /// Writes <paramref name="source"/> (<c>[C, H, W]</c>) to <paramref name="destination"/> moved
    /// <paramref name="down"/> rows down and <paramref name="right"/> columns right (negative: up, left), then mirrored
    /// left to right when <paramref name="mirror"/>; the pixels uncovered at the border take their channel's
    /// <paramref name="fill"/> value.
    /// </summary>
    internal static void Move(
        ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width, int down, int right, bool mirror, ReadOnlySpan<float> fill)
    {
        for (var c = 0; c < channels; c++)
        {
            var plane = c * height * width;
            for (var y = 0; y < height; y++)
            {
                var sy = y - down;
                var row = destination.Slice(plane + (y * width), width);
                if (sy < 0 || sy >= height)
                {
                    row.Fill(fill[c]);
                    continue;
                }

                for (var x = 0; x < width; x++)
                {
                    var sx = (mirror ? width - 1 - x : x) - right;
                    row[x] = sx >= 0 && sx < width ? source[plane + (sy * width) + sx] : fill[c];
                }
            }
        }
    }
}
