namespace ConvMixerNet.Onnx;

/// <summary>A preprocessed float32 batch <c>[N, C, H, W]</c> (row-major) that the quantizer runs to measure activation ranges.</summary>
public sealed record CalibrationBatch
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) with its shape.</summary>
    /// <exception cref="ArgumentException">The shape is not 4-D and positive, or does not match the number of values.</exception>
    public CalibrationBatch(ReadOnlyMemory<float> pixels, int batchSize, int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if ((long)batchSize * channels * height * width != pixels.Length)
        {
            throw new ArgumentException(
                $"A calibration batch [{batchSize}, {channels}, {height}, {width}] needs {(long)batchSize * channels * height * width} values; got {pixels.Length}.", nameof(pixels));
        }

        Pixels = pixels;
        Shape = [batchSize, channels, height, width];
    }

    /// <summary>The values, N·C·H·W of them.</summary>
    public ReadOnlyMemory<float> Pixels { get; }

    /// <summary>N, C, H, W.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>
    /// Batches of standard-normal noise (roughly what normalised images look like to the first layer), for speed
    /// benchmarks only: scales calibrated on noise do not suit real images, so measure accuracy with real ones.
    /// </summary>
    public static IEnumerable<CalibrationBatch> Random(int count, int batchSize, int channels, int height, int width, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var pixels = new float[checked(batchSize * channels * height * width)];
            for (var j = 0; j < pixels.Length; j++)
            {
                // Box–Muller: two uniforms give one normal value.
                var u = 1.0 - random.NextDouble();
                pixels[j] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * random.NextDouble()));
            }

            yield return new CalibrationBatch(pixels, batchSize, channels, height, width);
        }
    }
}
