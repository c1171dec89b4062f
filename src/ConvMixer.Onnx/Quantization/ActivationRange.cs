using System.Numerics;

namespace ConvMixerNet.Onnx;

/// <summary>The running minimum and maximum of one tensor over the calibration batches, and the uint8 parameters they give.</summary>
internal sealed class ActivationRange
{
    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

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
