using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>Memory layouts of 4-D tensors, which TorchSharp 0.107 does not expose as <c>memory_format</c>.</summary>
public static class TensorLayout
{
    /// <summary>
    /// The same values as <paramref name="x"/> (<c>[N, C, H, W]</c>), stored channels-last: strides
    /// <c>(H·W·C, 1, W·C, C)</c>, which libtorch treats as <c>torch.channels_last</c>. No copy when it already is.
    /// </summary>
    public static Tensor ToChannelsLast(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4)
        {
            throw new ArgumentException($"Expected a 4-D tensor [N, C, H, W], but got {x.dim()} dimension(s).", nameof(x));
        }

        // NHWC is the contiguous layout of the permuted view; permuting back keeps those strides.
        using var nhwc = x.permute(0, 2, 3, 1);
        using var contiguous = nhwc.contiguous();
        return contiguous.permute(0, 3, 1, 2);
    }

    /// <summary>True when <paramref name="x"/> is a 4-D tensor whose strides are those of <see cref="ToChannelsLast"/>.</summary>
    public static bool IsChannelsLast(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4)
        {
            return false;
        }

        var (shape, strides) = (x.shape, x.stride());
        return strides[1] == 1 && strides[3] == shape[1] && strides[2] == shape[1] * shape[3] && strides[0] == shape[1] * shape[2] * shape[3];
    }
}
