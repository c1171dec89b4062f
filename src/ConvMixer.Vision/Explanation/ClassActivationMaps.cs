using static TorchSharp.torch;

namespace ConvMixerNet.Vision;

/// <summary>
/// The arithmetic of Grad-CAM and EigenCAM on one image's last-layer output A (<c>[channels, positions]</c>,
/// row-major), in float64, following pytorch-grad-cam 1.5.5 (<c>base_cam.py</c>, <c>grad_cam.py</c>,
/// <c>utils/svd_on_activations.py</c>, <c>utils/image.py</c>) at the layer's own resolution.
/// </summary>
internal static class ClassActivationMaps
{
    // pytorch-grad-cam's scale_cam_image: (x - min) / (max - min + 1e-7), so a flat map becomes zeros, not NaNs.
    private const double Epsilon = 1e-7;

    /// <summary>w_k = mean over positions of dy/dA_k; map = ReLU(Σ_k w_k A_k), scaled to [0, 1].</summary>
    public static float[] GradCam(ReadOnlySpan<float> activations, ReadOnlySpan<float> gradients, int channels, int positions)
    {
        var map = new double[positions];
        for (var k = 0; k < channels; k++)
        {
            var g = gradients.Slice(k * positions, positions);
            var sum = 0.0;
            foreach (var v in g)
            {
                sum += v;
            }

            var weight = sum / positions;
            var a = activations.Slice(k * positions, positions);
            for (var p = 0; p < positions; p++)
            {
                map[p] += weight * a[p];
            }
        }

        return ReluAndScale(map);
    }

    /// <summary>
    /// pytorch-grad-cam's get_2d_projection_with_sign_correction: A as (positions, channels), centred over positions,
    /// projected on its first right singular vector, negated when |min| &gt; |max| (a singular vector's sign is
    /// arbitrary; this picks the one whose strongest value is positive); then ReLU and scaling. NaNs count as 0.
    /// </summary>
    public static float[] EigenCam(ReadOnlySpan<float> activations, int channels, int positions)
    {
        var values = new double[channels * positions];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = float.IsNaN(activations[i]) ? 0.0 : activations[i];
        }

        double[] projection;
        using (NewDisposeScope())
        {
            var x = tensor(values, [channels, positions]).t();
            var centred = x - x.mean([0], keepdim: true);
            var (_, _, vh) = linalg.svd(centred, fullMatrices: false);
            projection = centred.mv(vh[0]).data<double>().ToArray();
        }

        if (Math.Abs(projection.Min()) > Math.Abs(projection.Max()))
        {
            for (var p = 0; p < projection.Length; p++)
            {
                projection[p] = -projection[p];
            }
        }

        return ReluAndScale(projection);
    }

    private static float[] ReluAndScale(double[] map)
    {
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        for (var p = 0; p < map.Length; p++)
        {
            map[p] = Math.Max(map[p], 0.0);
            min = Math.Min(min, map[p]);
            max = Math.Max(max, map[p]);
        }

        var scaled = new float[map.Length];
        for (var p = 0; p < map.Length; p++)
        {
            scaled[p] = (float)((map[p] - min) / (max - min + Epsilon));
        }

        return scaled;
    }
}
