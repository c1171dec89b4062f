namespace ConvMixerNet.Training;

/// <summary>Standard normal and Beta draws from a <see cref="Random"/>, so augmentation is reproducible from a seed.</summary>
internal static class RandomDraws
{
    /// <summary>A standard normal value (Box-Muller; 1 − NextDouble() is in (0, 1], so the logarithm is finite).</summary>
    public static double Next(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A Beta(<paramref name="alpha"/>, <paramref name="alpha"/>) value, from two Gamma draws.</summary>
    public static double Beta(Random random, double alpha)
    {
        var x = Gamma(random, alpha);
        var y = Gamma(random, alpha);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    // Marsaglia and Tsang's method; shapes below 1 are boosted by U^(1/shape).
    private static double Gamma(Random random, double shape)
    {
        if (shape < 1)
        {
            return Gamma(random, shape + 1) * Math.Pow(1.0 - random.NextDouble(), 1.0 / shape);
        }

        var d = shape - (1.0 / 3.0);
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Next(random);
                v = 1.0 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = 1.0 - random.NextDouble();
            if (Math.Log(u) < (0.5 * x * x) + d - (d * v) + (d * Math.Log(v)))
            {
                return d * v;
            }
        }
    }
}
