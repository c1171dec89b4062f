namespace ConvMixerNet.Vision;

/// <summary>
/// An 8-bit RGB image in memory: rows from top to bottom, pixels from left to right, three bytes
/// (red, green, blue) per pixel. What <see cref="ImageDecoder"/> returns and what preprocessing reads.
/// </summary>
public sealed class RgbImage
{
    private readonly byte[] _pixels;

    /// <summary>Wraps interleaved RGB bytes (not copied).</summary>
    /// <exception cref="ArgumentException">The sizes are not positive or the buffer does not hold exactly width × height × 3 bytes.</exception>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * 3)
        {
            throw new ArgumentException(
                $"Expected {(long)width * height * 3} bytes for a {width}x{height} RGB image, but got {pixels.LongLength}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        _pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The interleaved RGB bytes, row by row.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>The red, green and blue values of the pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public (byte Red, byte Green, byte Blue) this[int x, int y]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(x);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(x, Width);
            ArgumentOutOfRangeException.ThrowIfNegative(y);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
            var i = ((y * Width) + x) * 3;
            return (_pixels[i], _pixels[i + 1], _pixels[i + 2]);
        }
    }

    /// <summary>
    /// The image in grey as PIL's <c>convert('L')</c> computes it (L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, the
    /// ITU-R 601 weights in 16-bit fixed point), repeated in the three channels.
    /// </summary>
    public RgbImage ToGrey()
    {
        var grey = new byte[_pixels.Length];
        for (var i = 0; i < _pixels.Length; i += 3)
        {
            var l = (byte)(((_pixels[i] * 19595) + (_pixels[i + 1] * 38470) + (_pixels[i + 2] * 7471) + 0x8000) >> 16);
            grey[i] = grey[i + 1] = grey[i + 2] = l;
        }

        return new RgbImage(Width, Height, grey);
    }

    /// <summary>The pixels channel-major (<c>[3, Height, Width]</c>), the layout of a model's input.</summary>
    public byte[] ToPlanar()
    {
        var plane = Width * Height;
        var planar = new byte[3 * plane];
        for (var i = 0; i < plane; i++)
        {
            planar[i] = _pixels[3 * i];
            planar[plane + i] = _pixels[(3 * i) + 1];
            planar[(2 * plane) + i] = _pixels[(3 * i) + 2];
        }

        return planar;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Width}x{Height} RGB image";

    internal byte[] Buffer => _pixels;
}
