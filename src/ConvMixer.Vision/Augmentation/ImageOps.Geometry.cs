namespace ConvMixerNet.Vision;

public static partial class ImageOps
{
    /// <summary>
    /// Torchvision's <c>resized_crop</c> on a PIL image: the <paramref name="height"/>×<paramref name="width"/> box at
    /// (<paramref name="top"/>, <paramref name="left"/>) resized to <paramref name="size"/>×<paramref name="size"/> by
    /// Pillow's resampling (the box must lie inside the image).
    /// </summary>
    public static RgbImage ResizedCrop(RgbImage image, int top, int left, int height, int width, int size, Interpolation interpolation)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > image.Height || left + width > image.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(top), $"The crop box (top {top}, left {left}, {width}x{height}) must lie inside the {image.Width}x{image.Height} image.");
        }

        var box = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            image.Buffer.AsSpan((((top + y) * image.Width) + left) * 3, width * 3).CopyTo(box.AsSpan(y * width * 3));
        }

        return Resampler.ResizeAndCrop(new RgbImage(width, height, box), size, size, new PixelWindow(0, 0, size, size), interpolation);
    }

    /// <summary>timm's <c>rotate</c> (Pillow's <c>Image.rotate</c> about the centre, same size): counter-clockwise by <paramref name="degrees"/>.</summary>
    public static RgbImage Rotate(RgbImage image, double degrees, Interpolation interpolation, (byte R, byte G, byte B) fill)
    {
        ArgumentNullException.ThrowIfNull(image);
        var angle = degrees % 360.0;
        if (angle < 0)
        {
            angle += 360.0; // Python's modulo keeps the divisor's sign
        }

        if (angle == 0)
        {
            return image;
        }

        var radians = -angle * Math.PI / 180.0;
        double a = Math.Round(Math.Cos(radians), 15), b = Math.Round(Math.Sin(radians), 15), d = Math.Round(-Math.Sin(radians), 15), e = a;
        var (cx, cy) = (image.Width / 2.0, image.Height / 2.0);
        var c = (a * -cx) + (b * -cy) + cx;
        var f = (d * -cx) + (e * -cy) + cy;
        return Affine(image, [a, b, c, d, e, f], interpolation, fill);
    }

    /// <summary>timm's <c>shear_x</c>: the affine map (1, <paramref name="factor"/>, 0, 0, 1, 0).</summary>
    public static RgbImage ShearX(RgbImage image, double factor, Interpolation interpolation, (byte R, byte G, byte B) fill) =>
        Affine(image, [1, factor, 0, 0, 1, 0], interpolation, fill);

    /// <summary>timm's <c>shear_y</c>: the affine map (1, 0, 0, <paramref name="factor"/>, 1, 0).</summary>
    public static RgbImage ShearY(RgbImage image, double factor, Interpolation interpolation, (byte R, byte G, byte B) fill) =>
        Affine(image, [1, 0, 0, factor, 1, 0], interpolation, fill);

    /// <summary>timm's <c>translate_x_rel</c>: content moves left by <paramref name="fraction"/> of the width.</summary>
    public static RgbImage TranslateXRel(RgbImage image, double fraction, Interpolation interpolation, (byte R, byte G, byte B) fill)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Affine(image, [1, 0, fraction * image.Width, 0, 1, 0], interpolation, fill);
    }

    /// <summary>timm's <c>translate_y_rel</c>: content moves up by <paramref name="fraction"/> of the height.</summary>
    public static RgbImage TranslateYRel(RgbImage image, double fraction, Interpolation interpolation, (byte R, byte G, byte B) fill)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Affine(image, [1, 0, 0, 0, 1, fraction * image.Height], interpolation, fill);
    }

    /// <summary>
    /// Pillow's <c>Image.transform(size, AFFINE, data, resample, fillcolor)</c>: output pixel (x, y) samples the input at
    /// (a·(x+½) + b·(y+½) + c, d·(x+½) + e·(y+½) + f); samples outside the image take <paramref name="fill"/>. Bilinear
    /// and bicubic (Pillow's transform cubic, a = −1) in double precision, truncated to 8 bits, as Pillow's Geometry.c.
    /// </summary>
    public static RgbImage Affine(RgbImage image, double[] matrix, Interpolation interpolation, (byte R, byte G, byte B) fill)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Length != 6)
        {
            throw new ArgumentException($"An affine map has 6 coefficients, not {matrix.Length}.", nameof(matrix));
        }

        if (interpolation is not (Interpolation.Bilinear or Interpolation.Bicubic))
        {
            throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "Affine transforms support bilinear and bicubic interpolation (timm's choices).");
        }

        var (w, h) = (image.Width, image.Height);
        var dst = new byte[w * h * 3];
        Span<byte> pixel = stackalloc byte[3];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var xin = (matrix[0] * (x + 0.5)) + (matrix[1] * (y + 0.5)) + matrix[2];
                var yin = (matrix[3] * (x + 0.5)) + (matrix[4] * (y + 0.5)) + matrix[5];
                var to = ((y * w) + x) * 3;
                // Pillow: a point outside the source image takes the fill; inside, pixel centres sit at +½.
                if (xin < 0.0 || xin >= w || yin < 0.0 || yin >= h)
                {
                    (dst[to], dst[to + 1], dst[to + 2]) = fill;
                    continue;
                }

                var (fx, fy) = (Math.Floor(xin - 0.5), Math.Floor(yin - 0.5));
                var (ix, iy, dx, dy) = ((int)fx, (int)fy, xin - 0.5 - fx, yin - 0.5 - fy);
                if (interpolation == Interpolation.Bilinear)
                {
                    Bilinear(image, ix, iy, dx, dy, pixel);
                }
                else
                {
                    Bicubic(image, ix, iy, dx, dy, pixel);
                }

                pixel.CopyTo(dst.AsSpan(to, 3));
            }
        }

        return new RgbImage(w, h, dst);
    }

    // (x, y): the source pixel at or left of / above the point; (dx, dy): the point's offset from it, in [0, 1).
    private static void Bilinear(RgbImage image, int x, int y, double dx, double dy, Span<byte> pixel)
    {
        var (w, h) = (image.Width, image.Height);
        var src = image.Buffer;
        var row0 = Math.Clamp(y, 0, h - 1) * w;
        int x0 = Math.Clamp(x, 0, w - 1), x1 = Math.Clamp(x + 1, 0, w - 1);
        for (var c = 0; c < 3; c++)
        {
            var v1 = Lerp(src[((row0 + x0) * 3) + c], src[((row0 + x1) * 3) + c], dx);
            if (y + 1 >= 0 && y + 1 < h)
            {
                var row1 = (y + 1) * w;
                var v2 = Lerp(src[((row1 + x0) * 3) + c], src[((row1 + x1) * 3) + c], dx);
                v1 = Lerp(v1, v2, dy);
            }

            pixel[c] = Truncate8(v1);
        }
    }

    private static void Bicubic(RgbImage image, int x, int y, double dx, double dy, Span<byte> pixel)
    {
        var (w, h) = (image.Width, image.Height);
        x--;
        y--;
        var src = image.Buffer;
        int x0 = Math.Clamp(x, 0, w - 1), x1 = Math.Clamp(x + 1, 0, w - 1), x2 = Math.Clamp(x + 2, 0, w - 1), x3 = Math.Clamp(x + 3, 0, w - 1);
        for (var c = 0; c < 3; c++)
        {
            double RowAt(int row)
            {
                var start = row * w;
                return Cubic(src[((start + x0) * 3) + c], src[((start + x1) * 3) + c], src[((start + x2) * 3) + c], src[((start + x3) * 3) + c], dx);
            }

            // Rows below the image repeat the last row that exists, as Pillow's BICUBIC_BODY does.
            var v1 = RowAt(Math.Clamp(y, 0, h - 1));
            var v2 = y + 1 >= 0 && y + 1 < h ? RowAt(y + 1) : v1;
            var v3 = y + 2 >= 0 && y + 2 < h ? RowAt(y + 2) : v2;
            var v4 = y + 3 >= 0 && y + 3 < h ? RowAt(y + 3) : v3;
            pixel[c] = Truncate8(Cubic(v1, v2, v3, v4, dy));
        }
    }

    private static double Lerp(double a, double b, double d) => a + ((b - a) * d);

    // Pillow's transform cubic (a = -1), in the form Geometry.c evaluates it.
    private static double Cubic(double v1, double v2, double v3, double v4, double d)
    {
        var p1 = v2;
        var p2 = -v1 + v3;
        var p3 = (2 * (v1 - v2)) + v3 - v4;
        var p4 = -v1 + v2 - v3 + v4;
        return p1 + (d * (p2 + (d * (p3 + (d * p4)))));
    }

    private static byte Truncate8(double v) => v <= 0.0 ? (byte)0 : v >= 255.0 ? (byte)255 : (byte)v;
}
