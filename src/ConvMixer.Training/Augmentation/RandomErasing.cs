namespace ConvMixerNet.Training;

/// <summary>
/// timm's <c>RandomErasing</c> on a normalised image: with probability <see cref="Probability"/> (timm's <c>--reprob</c>),
/// <see cref="Count"/> boxes of a random area in [<see cref="MinArea"/>, <see cref="MaxArea"/>] of the image (divided
/// among the boxes) and a log-uniform aspect ratio in [<see cref="MinAspect"/>, 1 / <see cref="MinAspect"/>] are
/// replaced by standard normal noise, one value per pixel and channel (timm's <c>pixel</c> mode, <c>--remode pixel</c>).
/// </summary>
public sealed record RandomErasing(double Probability, double MinArea = 0.02, double MaxArea = 1.0 / 3.0, double MinAspect = 0.3, int Count = 1)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that makes no sense.</summary>
    public void Validate()
    {
        if (!(Probability >= 0 && Probability <= 1))
        {
            throw new ArgumentException($"Random erasing probability (reprob) must be in [0, 1], but it is {Probability}.");
        }

        if (!(MinArea > 0 && MinArea <= MaxArea && MaxArea <= 1) || !(MinAspect > 0 && double.IsFinite(MinAspect)) || Count < 1)
        {
            throw new ArgumentException($"Random erasing needs 0 < min area <= max area <= 1, a positive aspect and at least one box; got {this}.");
        }
    }

    /// <summary>Erases boxes of <paramref name="image"/> (<c>[C, H, W]</c>, normalised) in place, drawing every choice from <paramref name="random"/>.</summary>
    /// <returns>The boxes erased (top, left, height, width).</returns>
    public IReadOnlyList<(int Top, int Left, int Height, int Width)> Apply(Span<float> image, int channels, int height, int width, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (image.Length < channels * height * width)
        {
            throw new ArgumentException($"The image holds {image.Length} values; a {channels}x{height}x{width} image needs {channels * height * width}.", nameof(image));
        }

        var boxes = new List<(int, int, int, int)>();
        if (random.NextDouble() > Probability)
        {
            return boxes;
        }

        var area = (double)height * width;
        var (logMin, logMax) = (Math.Log(MinAspect), Math.Log(1 / MinAspect));
        for (var box = 0; box < Count; box++)
        {
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var targetArea = (MinArea + ((MaxArea - MinArea) * random.NextDouble())) * area / Count;
                var aspect = Math.Exp(logMin + ((logMax - logMin) * random.NextDouble()));
                var h = (int)Math.Round(Math.Sqrt(targetArea * aspect), MidpointRounding.ToEven);
                var w = (int)Math.Round(Math.Sqrt(targetArea / aspect), MidpointRounding.ToEven);
                if (w < width && h < height)
                {
                    var top = random.Next(height - h + 1);
                    var left = random.Next(width - w + 1);
                    for (var c = 0; c < channels; c++)
                    {
                        for (var y = top; y < top + h; y++)
                        {
                            var row = image.Slice((((c * height) + y) * width) + left, w);
                            for (var x = 0; x < row.Length; x++)
                            {
                                row[x] = (float)RandomDraws.Next(random);
                            }
                        }
                    }

                    boxes.Add((top, left, h, w));
                    break;
                }
            }
        }

        return boxes;
    }
}
