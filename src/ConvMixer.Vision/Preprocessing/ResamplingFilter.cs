namespace ConvMixerNet.Vision;

/// <summary>The 1-D kernels behind <see cref="Interpolation"/>, each with the support PIL gives it.</summary>
internal static class ResamplingFilter
{
    public static double Support(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Box => 0.5,
        Interpolation.Bilinear or Interpolation.Hamming => 1.0,
        Interpolation.Bicubic => 2.0,
        Interpolation.Lanczos => 3.0,
        _ => throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "Not a convolution filter."),
    };

    public static double Evaluate(Interpolation interpolation, double x) => interpolation switch
    {
        Interpolation.Box => x > -0.5 && x <= 0.5 ? 1.0 : 0.0,
        Interpolation.Bilinear => Math.Max(0.0, 1.0 - Math.Abs(x)),
        Interpolation.Hamming => Hamming(Math.Abs(x)),
        Interpolation.Bicubic => Cubic(Math.Abs(x)),
        Interpolation.Lanczos => x >= -3.0 && x < 3.0 ? Sinc(x) * Sinc(x / 3.0) : 0.0,
        _ => throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "Not a convolution filter."),
    };

    // Keys' cubic convolution with a = -0.5 (Catmull-Rom), for |x|.
    private static double Cubic(double x)
    {
        const double a = -0.5;
        if (x < 1.0)
        {
            return ((((a + 2.0) * x) - (a + 3.0)) * x * x) + 1.0;
        }

        return x < 2.0 ? ((((x - 5.0) * x) + 8.0) * x - 4.0) * a : 0.0;
    }

    private static double Hamming(double x)
    {
        if (x == 0.0)
        {
            return 1.0;
        }

        if (x >= 1.0)
        {
            return 0.0;
        }

        x *= Math.PI;
        return Math.Sin(x) / x * (0.54 + (0.46 * Math.Cos(x)));
    }

    private static double Sinc(double x)
    {
        if (x == 0.0)
        {
            return 1.0;
        }

        x *= Math.PI;
        return Math.Sin(x) / x;
    }
}
