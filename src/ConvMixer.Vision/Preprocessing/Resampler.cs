namespace ConvMixerNet.Vision;

/// <summary>
/// Resizes an RGB image and cuts a window out of the result, computing only the pixels inside the window.
/// Gives the same bytes as PIL's <c>Image.resize</c> followed by a crop: separable convolution with the
/// filter widened by the shrink factor (antialiasing), horizontal pass first, weights in 22-bit fixed point,
/// and rounding to 8 bits after each pass.
/// </summary>
internal static class Resampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes <paramref name="source"/> to <paramref name="width"/>×<paramref name="height"/> and returns the window <paramref name="window"/> of it.</summary>
    public static RgbImage ResizeAndCrop(RgbImage source, int width, int height, PixelWindow window, Interpolation interpolation)
    {
        if (window.X < 0 || window.Y < 0 || window.Width <= 0 || window.Height <= 0
            || window.X + window.Width > width || window.Y + window.Height > height)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window must lie inside the {width}x{height} resized image.");
        }

        return interpolation == Interpolation.Nearest
            ? Nearest(source, width, height, window)
            : Convolve(source, width, height, window, interpolation);
    }

    private static RgbImage Nearest(RgbImage source, int width, int height, PixelWindow window)
    {
        // PIL maps output pixel centres to source coordinates and truncates: x_in = (int)((x + 0.5) * scale),
        // with the coordinate accumulated step by step as PIL does (the rounding can differ from a product).
        var columns = NearestIndices(source.Width, width, window.X, window.Width);
        var rows = NearestIndices(source.Height, height, window.Y, window.Height);
        var src = source.Buffer;
        var dst = new byte[window.Width * window.Height * 3];
        for (var y = 0; y < window.Height; y++)
        {
            var srcRow = rows[y] * source.Width * 3;
            for (var x = 0; x < window.Width; x++)
            {
                var from = srcRow + (columns[x] * 3);
                var to = ((y * window.Width) + x) * 3;
                dst[to] = src[from];
                dst[to + 1] = src[from + 1];
                dst[to + 2] = src[from + 2];
            }
        }

        return new RgbImage(window.Width, window.Height, dst);
    }

    private static int[] NearestIndices(int inSize, int outSize, int first, int count)
    {
        var scale = (double)inSize / outSize;
        var indices = new int[count];
        var coordinate = scale * 0.5;
        for (var i = 0; i < first + count; i++, coordinate += scale)
        {
            if (i >= first)
            {
                indices[i - first] = Math.Min(inSize - 1, (int)coordinate);
            }
        }

        return indices;
    }

    private static RgbImage Convolve(RgbImage source, int width, int height, PixelWindow window, Interpolation interpolation)
    {
        var horizontal = Weights.For(source.Width, width, window.X, window.Width, interpolation);
        var vertical = Weights.For(source.Height, height, window.Y, window.Height, interpolation);

        // Horizontal pass over the source rows the vertical pass reads.
        var firstRow = vertical.Start.Min();
        var lastRow = Enumerable.Range(0, window.Height).Max(i => vertical.Start[i] + vertical.Count[i]);
        var rowCount = lastRow - firstRow;
        var src = source.Buffer;
        var mid = new byte[rowCount * window.Width * 3];
        var taps = horizontal.Taps;
        for (var y = 0; y < rowCount; y++)
        {
            var srcRow = (firstRow + y) * source.Width * 3;
            var midRow = y * window.Width * 3;
            for (var x = 0; x < window.Width; x++)
            {
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                var k = x * taps;
                var from = srcRow + (horizontal.Start[x] * 3);
                for (var t = 0; t < horizontal.Count[x]; t++, from += 3)
                {
                    var w = horizontal.Fixed[k + t];
                    r += src[from] * w;
                    g += src[from + 1] * w;
                    b += src[from + 2] * w;
                }

                var to = midRow + (x * 3);
                mid[to] = Clip8(r);
                mid[to + 1] = Clip8(g);
                mid[to + 2] = Clip8(b);
            }
        }

        // Vertical pass.
        var dst = new byte[window.Width * window.Height * 3];
        var stride = window.Width * 3;
        taps = vertical.Taps;
        for (var y = 0; y < window.Height; y++)
        {
            var k = y * taps;
            var firstTap = (vertical.Start[y] - firstRow) * stride;
            for (var c = 0; c < stride; c++)
            {
                var sum = 1 << (PrecisionBits - 1);
                var from = firstTap + c;
                for (var t = 0; t < vertical.Count[y]; t++, from += stride)
                {
                    sum += mid[from] * vertical.Fixed[k + t];
                }

                dst[(y * stride) + c] = Clip8(sum);
            }
        }

        return new RgbImage(window.Width, window.Height, dst);
    }

    private static byte Clip8(int accumulator) => (byte)Math.Clamp(accumulator >> PrecisionBits, 0, 255);

    /// <summary>For each output index of one axis: the first source index, how many taps, and their fixed-point weights.</summary>
    private sealed record Weights(int[] Start, int[] Count, int[] Fixed, int Taps)
    {
        public static Weights For(int inSize, int outSize, int first, int count, Interpolation interpolation)
        {
            var scale = (double)inSize / outSize;
            var filterScale = Math.Max(scale, 1.0); // widen the kernel when shrinking: antialiasing
            var inverseFilterScale = 1.0 / filterScale; // multiplied, not divided, to round as PIL does
            var support = ResamplingFilter.Support(interpolation) * filterScale;
            var taps = ((int)Math.Ceiling(support) * 2) + 1;
            var start = new int[count];
            var counts = new int[count];
            var weights = new int[count * taps];
            var kernel = new double[taps];
            for (var i = 0; i < count; i++)
            {
                var center = (first + i + 0.5) * scale;
                var min = Math.Max(0, (int)(center - support + 0.5));
                var max = Math.Min(inSize, (int)(center + support + 0.5));
                var total = 0.0;
                for (var t = 0; t < max - min; t++)
                {
                    kernel[t] = ResamplingFilter.Evaluate(interpolation, (t + min - center + 0.5) * inverseFilterScale);
                    total += kernel[t];
                }

                for (var t = 0; t < max - min; t++)
                {
                    var normalised = total != 0.0 ? kernel[t] / total : kernel[t];
                    weights[(i * taps) + t] = (int)(normalised < 0 ? -0.5 + (normalised * (1 << PrecisionBits)) : 0.5 + (normalised * (1 << PrecisionBits)));
                }

                start[i] = min;
                counts[i] = max - min;
            }

            return new Weights(start, counts, weights, taps);
        }
    }
}
