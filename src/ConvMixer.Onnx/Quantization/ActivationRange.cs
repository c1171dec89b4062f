using System.Numerics;

namespace ConvMixerNet.Onnx;

/// <summary>The running minimum and maximum of one tensor over the calibration batches, and the uint8 parameters they give.</summary>
internal sealed class ActivationRange
{
    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

    private double _percentileLowSum;
    private double _percentileHighSum;
    private int _percentileBatches;

    /// <summary>Records the batch's <paramref name="percentile"/>-th percentile at each end (from a strided sample), to be averaged.</summary>
    public void ObservePercentile(ReadOnlySpan<float> values, double percentile)
    {
        const int sampleSize = 1 << 18;
        var stride = Math.Max(1, values.Length / sampleSize);
        var sample = new float[(values.Length + stride - 1) / stride];
        for (var i = 0; i < sample.Length; i++)
        {
            sample[i] = values[i * stride];
        }

        Array.Sort(sample);
        var tail = (int)Math.Floor((100.0 - percentile) / 100.0 * (sample.Length - 1));
        _percentileLowSum += sample[tail];
        _percentileHighSum += sample[sample.Length - 1 - tail];
        _percentileBatches++;
    }

    /// <summary>Replaces the min/max range by the averaged percentiles, when there are any.</summary>
    public void UsePercentiles()
    {
        if (_percentileBatches > 0)
        {
            Min = (float)(_percentileLowSum / _percentileBatches);
            Max = (float)(_percentileHighSum / _percentileBatches);
        }
    }

    public void Observe(ReadOnlySpan<float> values)
    {
        var min = new Vector<float>(Min);
        var max = new Vector<float>(Max);
        var i = 0;
        for (; i + Vector<float>.Count <= values.Length; i += Vector<float>.Count)
        {
            var v = new Vector<float>(values.Slice(i, Vector<float>.Count));
            min = Vector.Min(min, v);
            max = Vector.Max(max, v);
        }

        var lo = Min;
        var hi = Max;
        for (var lane = 0; lane < Vector<float>.Count; lane++)
        {
            lo = MathF.Min(lo, min[lane]);
            hi = MathF.Max(hi, max[lane]);
        }

        for (; i < values.Length; i++)
        {
            lo = MathF.Min(lo, values[i]);
            hi = MathF.Max(hi, values[i]);
        }

        Min = lo;
        Max = hi;
    }

    /// <summary>Asymmetric uint8 quantization of [min(Min, 0), max(Max, 0)], so zero is exact (zero padding, ReLU).</summary>
    public (float Scale, byte ZeroPoint) Uint8()
    {
        var lo = MathF.Min(Min, 0f);
        var hi = MathF.Max(Max, 0f);
        if (!float.IsFinite(lo) || !float.IsFinite(hi))
        {
            throw new InvalidOperationException($"Calibration produced a non-finite activation range [{Min}, {Max}].");
        }

        var scale = (hi - lo) / 255f;
        if (scale <= 0f)
        {
            return (1f, 0);
        }

        var zeroPoint = Math.Clamp(MathF.Round(-lo / scale, MidpointRounding.ToEven), 0f, 255f);
        return (scale, (byte)zeroPoint);
    }
}
