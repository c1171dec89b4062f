using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

internal static class TensorEquality
{
    /// <summary>Same dtype, shape and every value bit for bit (TorchSharp's <c>equal</c> is element-wise).</summary>
    public static bool Identical(this Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var same = a.eq(b);
        using var all = same.all();
        return all.item<bool>();
    }
}
