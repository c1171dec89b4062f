using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvMixerNet.Core;

/// <summary>
/// One ConvMixer layer: spatial mixing by a depthwise convolution (one kernelSize² filter per
/// channel, 'same' padding) → activation → BatchNorm, then channel mixing by a 1×1 convolution → activation →
/// BatchNorm, with a residual connection placed as <see cref="ResidualPlacement"/> says.
/// </summary>
/// <remarks>
/// Sub-modules are registered under timm's state-dict keys (<c>0.fn.0</c> depthwise conv, <c>0.fn.2</c> its
/// BatchNorm, <c>1</c> pointwise conv, <c>3</c> its BatchNorm), so PyTorch checkpoints load by name. The
/// properties give the same modules readable names.
/// </remarks>
public sealed class ConvMixerLayer : Module<Tensor, Tensor>
{
    private readonly Conv2d _depthwise;
    private readonly Module<Tensor, Tensor> _depthwiseActivation;
    private readonly SafeBatchNorm2d _depthwiseNorm;
    private readonly Conv2d _pointwise;
    private readonly Module<Tensor, Tensor> _pointwiseActivation;
    private readonly SafeBatchNorm2d _pointwiseNorm;

    /// <summary>Creates a layer of width <paramref name="dim"/>.</summary>
    /// <param name="dim">Channels in and out (the ConvMixer's width, h in the paper).</param>
    /// <param name="kernelSize">Side of the depthwise kernel; odd or even ('same' padding as in PyTorch).</param>
    /// <param name="activation">Nonlinearity after each convolution.</param>
    /// <param name="residualPlacement">Where the skip connection sits; the default matches the paper and timm.</param>
    /// <param name="device">Device for the parameters (default: CPU).</param>
    /// <param name="dtype">Floating-point type of the parameters (default: torch's default dtype).</param>
    public ConvMixerLayer(
        int dim,
        int kernelSize = 9,
        Activation activation = Activation.Gelu,
        ResidualPlacement residualPlacement = ResidualPlacement.AroundSpatialMixing,
        Device? device = null,
        ScalarType? dtype = null)
        : base(TorchRuntime.LoadedFor(nameof(ConvMixerLayer)))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        if (!Enum.IsDefined(residualPlacement))
        {
            throw new ArgumentOutOfRangeException(nameof(residualPlacement), residualPlacement, "Unknown residual placement.");
        }

        Dim = dim;
        KernelSize = kernelSize;
        Activation = activation;
        ResidualPlacement = residualPlacement;

        _depthwise = Conv2d(dim, dim, kernelSize, Padding.Same, groups: dim, device: device, dtype: dtype);
        _depthwiseActivation = ActivationModules.Create(activation);
        _depthwiseNorm = new SafeBatchNorm2d(dim, device: device, dtype: dtype);
        _pointwise = Conv2d(dim, dim, 1, device: device, dtype: dtype);
        _pointwiseActivation = ActivationModules.Create(activation);
        _pointwiseNorm = new SafeBatchNorm2d(dim, device: device, dtype: dtype);

        // timm: Sequential(Residual(fn=Sequential(dw, act, bn)), pw, act, bn).
        register_module("0", Sequential(("fn", Sequential(("0", _depthwise), ("1", _depthwiseActivation), ("2", _depthwiseNorm)))));
        register_module("1", _pointwise);
        register_module("2", _pointwiseActivation);
        register_module("3", _pointwiseNorm);
    }

    // `a + b` would pass alpha = 1 as an implicitly converted Scalar, which nothing keeps alive during the native call:
    // a garbage collection then may finalize it while libtorch reads it. A static Scalar is always reachable.
    private static readonly Scalar One = 1.ToScalar();

    /// <summary>Width (channels in and out).</summary>
    public int Dim { get; }

    /// <summary>Side of the depthwise kernel.</summary>
    public int KernelSize { get; }

    /// <summary>Nonlinearity after each convolution.</summary>
    public Activation Activation { get; }

    /// <summary>Where the skip connection sits.</summary>
    public ResidualPlacement ResidualPlacement { get; }

    /// <summary>The depthwise (spatial-mixing) convolution, state-dict key <c>0.fn.0</c>.</summary>
    public Conv2d DepthwiseConv => _depthwise;

    /// <summary>The BatchNorm after the depthwise convolution, key <c>0.fn.2</c>.</summary>
    public BatchNorm DepthwiseNorm => _depthwiseNorm;

    /// <summary>The pointwise (channel-mixing) 1×1 convolution, key <c>1</c>.</summary>
    public Conv2d PointwiseConv => _pointwise;

    /// <summary>The BatchNorm after the pointwise convolution, key <c>3</c>.</summary>
    public BatchNorm PointwiseNorm => _pointwiseNorm;

    /// <summary>Applies the layer to a batch <c>[N, dim, H, W]</c>; the output has the same shape.</summary>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != Dim)
        {
            throw new ArgumentException(
                $"Expected a 4-D tensor [N, {Dim}, H, W], but got shape {TensorChecks.Shape(input)}.", nameof(input));
        }

        TensorChecks.SameDeviceAndType(input, _pointwise.weight!, nameof(input));

        using var scope = NewDisposeScope();
        // call() rather than forward(), so hooks registered on the inner modules fire.
        var mixedSpace = _depthwiseNorm.call(_depthwiseActivation.call(_depthwise.call(input)));
        var x = ResidualPlacement == ResidualPlacement.AroundSpatialMixing ? input.add(mixedSpace, One) : mixedSpace;
        var output = _pointwiseNorm.call(_pointwiseActivation.call(_pointwise.call(x)));
        if (ResidualPlacement == ResidualPlacement.AroundLayer)
        {
            output = input.add(output, One);
        }

        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Sub-modules are registered explicitly under timm's keys in the constructor; the fields are aliases.</summary>
    protected override void RegisterComponents()
    {
    }
}
