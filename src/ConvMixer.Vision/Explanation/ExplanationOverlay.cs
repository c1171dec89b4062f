namespace ConvMixerNet.Vision;

/// <summary>
/// Draws a class activation map over the model's input view: the map is stretched to the view's size with bilinear
/// interpolation (pixel centres aligned, as OpenCV's and PyTorch's resizes do), coloured with the viridis colormap
/// (dark purple for 0, yellow for 1) and blended with the view: out = (1 − opacity) · view + opacity · colour.
/// Thread-safe.
/// </summary>
public static class ExplanationOverlay
{
    /// <summary>The overlay as an image of the input view's size.</summary>
    /// <param name="explanation">The map and the view it belongs to.</param>
    /// <param name="opacity">Weight of the heat map's colour, in [0, 1]; 0 shows only the image, 1 only the map.</param>
    public static RgbImage Render(Explanation explanation, double opacity = 0.5)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        if (!(opacity >= 0.0 && opacity <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "opacity must be in [0, 1].");
        }

        var view = explanation.InputView;
        var (width, height) = (view.Width, view.Height);
        var map = explanation.Map;
        var (rows, columns) = (explanation.Rows, explanation.Columns);
        var xs = Samples(width, columns);
        var ys = Samples(height, rows);
        var source = view.Pixels;
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            var (r0, r1, fy) = ys[y];
            for (var x = 0; x < width; x++)
            {
                var (c0, c1, fx) = xs[x];
                var top = (map[(r0 * columns) + c0] * (1 - fx)) + (map[(r0 * columns) + c1] * fx);
                var bottom = (map[(r1 * columns) + c0] * (1 - fx)) + (map[(r1 * columns) + c1] * fx);
                var (red, green, blue) = Viridis.Color((top * (1 - fy)) + (bottom * fy));
                var i = ((y * width) + x) * 3;
                pixels[i] = Blend(source[i], red, opacity);
                pixels[i + 1] = Blend(source[i + 1], green, opacity);
                pixels[i + 2] = Blend(source[i + 2], blue, opacity);
            }
        }

        return new RgbImage(width, height, pixels);
    }

    /// <summary>The overlay encoded as a PNG file (see <see cref="Render"/>).</summary>
    public static byte[] RenderPng(Explanation explanation, double opacity = 0.5) =>
        ImageEncoder.EncodePng(Render(explanation, opacity));

    // For each output pixel: the two map cells around its centre and the weight of the second, with half-pixel centres
    // (source = (i + 0.5) · cells / size − 0.5) and the edges clamped.
    private static (int Low, int High, double Weight)[] Samples(int size, int cells)
    {
        var samples = new (int, int, double)[size];
        for (var i = 0; i < size; i++)
        {
            var source = Math.Max(((i + 0.5) * cells / size) - 0.5, 0.0);
            var low = Math.Min((int)source, cells - 1);
            var high = Math.Min(low + 1, cells - 1);
            samples[i] = (low, high, source - low);
        }

        return samples;
    }

    private static byte Blend(byte image, byte heat, double opacity) =>
        (byte)Math.Round(((1 - opacity) * image) + (opacity * heat), MidpointRounding.AwayFromZero);
}
