using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// PyTorch's <c>BatchNorm2d</c>, as TorchSharp's, with a forward pass that keeps alive every native Scalar it uses.
/// Same parameters, buffers and state-dict keys (<c>weight</c>, <c>bias</c>, <c>running_mean</c>,
/// <c>running_var</c>, <c>num_batches_tracked</c>); same outputs and running statistics.
/// </summary>
/// <remarks>
/// Why: in training mode, TorchSharp 0.107's <c>BatchNorm.forward</c> counts the batch with
/// <c>num_batches_tracked.add_(1)</c>, which converts <c>1</c> (and an implied alpha of 1) to Scalars implicitly.
/// Nothing references such a Scalar once its handle has been read, so a garbage collection during the native call
/// may finalize it while libtorch reads it: training dies at random with "Unknown scalar type" or a failed check in
/// <c>c10::Scalar::toLong</c>. The count here uses a Scalar held in a static field, which is always reachable.
/// </remarks>
public sealed class SafeBatchNorm2d : BatchNorm
{
    private static readonly Scalar One = 1.ToScalar();

    /// <summary>A BatchNorm over <paramref name="features"/> channels of <c>[N, C, H, W]</c> input (PyTorch's defaults).</summary>
    public SafeBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1, Device? device = null, ScalarType? dtype = null)
        : base(features, eps, momentum, affine: true, track_running_stats: true, device, dtype, nameof(BatchNorm2d))
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        // As PyTorch: with a momentum, an exponential average; without, the cumulative average over counted batches.
        var averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is { } counted)
        {
            counted.add_(One, One);
            if (momentum is null)
            {
                averagingFactor = 1.0 / counted.item<long>();
            }
        }

        var statistics = !training || track_running_stats;
        var batchStatistics = training || (running_mean is null && running_var is null);
        return nn.functional.batch_norm(
            input, statistics ? running_mean : null, statistics ? running_var : null, weight, bias, batchStatistics, averagingFactor, eps);
    }

    /// <inheritdoc />
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4)
        {
            throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.", nameof(input));
        }
    }
}
