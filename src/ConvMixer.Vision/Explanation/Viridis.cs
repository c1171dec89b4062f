namespace ConvMixerNet.Vision;

/// <summary>
/// The viridis colormap (van der Walt and Smith, matplotlib's default; perceptually uniform, readable by colour-blind
/// people and in grey): dark purple at 0 through teal to yellow at 1. Computed from Matt Zucker's degree-6 polynomial
/// fit (CC0), which stays within 4/255 of matplotlib's table, so no table or plotting library is needed.
/// </summary>
internal static class Viridis
{
    public static (byte Red, byte Green, byte Blue) Color(double t)
    {
        t = double.IsNaN(t) ? 0.0 : Math.Clamp(t, 0.0, 1.0);
        return (
            Channel(t, 0.2777273272234177, 0.1050930431085774, -0.3308618287255563, -4.634230498983486, 6.228269936347081, 4.776384997670288, -5.435455855934631),
            Channel(t, 0.005407344544966578, 1.404613529898575, 0.214847559468213, -5.799100973351585, 14.17993336680509, -13.74514537774601, 4.645852612178535),
            Channel(t, 0.3340998053353061, 1.384590162594685, 0.09509516302823659, -19.33244095627987, 56.69055260068105, -65.35303263337234, 26.3124352495832));
    }

    // The polynomial c0 + c1 t + … + c6 t⁶ (Horner's rule), as a byte.
    private static byte Channel(double t, params ReadOnlySpan<double> coefficients)
    {
        var value = 0.0;
        for (var i = coefficients.Length - 1; i >= 0; i--)
        {
            value = (value * t) + coefficients[i];
        }

        return (byte)Math.Round(Math.Clamp(value, 0.0, 1.0) * 255.0, MidpointRounding.AwayFromZero);
    }
}
