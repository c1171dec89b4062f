using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvMixerNet.Core;

/// <summary>
/// ConvMixer ("Patches Are All You Need?", Trockman and Kolter, 2022): a patch embedding, <c>depth</c>
/// <see cref="ConvMixerLayer"/>s, global average pooling and a linear classifier.
/// </summary>
/// <remarks>
/// The fields carry timm's state-dict names (<c>stem</c>, <c>blocks</c>, <c>head</c>), so
/// <c>state_dict()</c> keys equal those of <c>timm.models.convmixer.ConvMixer</c>.
/// </remarks>
public sealed partial class ConvMixer : Module<Tensor, Tensor>
{
    // Named as in timm: the state-dict keys come from these names.
    private readonly Sequential stem;
    private readonly Sequential blocks;
    private readonly AdaptiveAvgPool2d pooling;
    private readonly Dropout head_drop;
    private Module<Tensor, Tensor> head;

    // Not modules, so RegisterComponents() leaves them alone.
    private readonly ConvMixerLayer[] _layers;
    private readonly Device? _device;
    private readonly ScalarType? _dtype;
    private PretrainedConfig? _pretrained;

    /// <summary>Builds a ConvMixer-<paramref name="dim"/>/<paramref name="depth"/> with PyTorch's default initialisation.</summary>
    /// <param name="dim">Width: channels of every patch vector.</param>
    /// <param name="depth">Number of ConvMixer layers.</param>
    /// <param name="kernelSize">Side of the depthwise kernels.</param>
    /// <param name="patchSize">Side and stride of the patch embedding.</param>
    /// <param name="numClasses">Classifier outputs; 0 for none (forward returns pooled features).</param>
    /// <param name="inChannels">Channels of the input images.</param>
    /// <param name="activation">Nonlinearity after every convolution (GELU is exact, as PyTorch's default).</param>
    /// <param name="residualPlacement">Where each layer's skip connection sits; the default matches the paper and timm.</param>
    /// <param name="dropRate">Dropout before the classifier (training only).</param>
    /// <param name="device">Device for the parameters (default: CPU).</param>
    /// <param name="dtype">Floating-point type of the parameters (default: torch's default dtype).</param>
    public ConvMixer(
        int dim,
        int depth,
        int kernelSize = 9,
        int patchSize = 7,
        int numClasses = 1000,
        int inChannels = 3,
        Activation activation = Activation.Gelu,
        ResidualPlacement residualPlacement = ResidualPlacement.AroundSpatialMixing,
        double dropRate = 0.0,
        Device? device = null,
        ScalarType? dtype = null)
        : this(new ConvMixerConfig(dim, depth, kernelSize, patchSize, numClasses, inChannels, activation, residualPlacement), dropRate, device, dtype)
    {
    }

    /// <summary>Builds a ConvMixer from a configuration, for example one of <see cref="ConvMixerPresets"/>.</summary>
    public ConvMixer(ConvMixerConfig config, double dropRate = 0.0, Device? device = null, ScalarType? dtype = null)
        : base(TorchRuntime.LoadedFor(nameof(ConvMixer)))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (!(dropRate >= 0.0 && dropRate < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(dropRate), dropRate, "dropRate must be in [0, 1).");
        }

        Config = config;
        _device = device;
        _dtype = dtype;

        stem = Sequential(
            ("0", Conv2d(config.InChannels, config.Dim, config.PatchSize, stride: config.PatchSize, device: device, dtype: dtype)),
            ("1", ActivationModules.Create(config.Activation)),
            ("2", new SafeBatchNorm2d(config.Dim, device: device, dtype: dtype)));

        _layers = Enumerable.Range(0, config.Depth)
            .Select(_ => new ConvMixerLayer(config.Dim, config.KernelSize, config.Activation, config.ResidualPlacement, device, dtype))
            .ToArray();
        blocks = Sequential(_layers.Select((layer, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), (Module<Tensor, Tensor>)layer)));

        pooling = AdaptiveAvgPool2d(1);
        head_drop = Dropout(dropRate);
        head = CreateHead(config.NumClasses);

        RegisterComponents();
    }

    /// <summary>The architecture's hyperparameters.</summary>
    public ConvMixerConfig Config { get; private set; }

    /// <summary>
    /// The preprocessing, class names and provenance of the weights (timm's <c>pretrained_cfg</c>): set by
    /// <see cref="FromCheckpoint"/> from what the file or folder stores, by the presets for the published weights, and
    /// by training; saved with the weights. Null when nothing is known, and then whoever classifies must say what it assumes.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration does not fit this architecture (channels, class count).</exception>
    public PretrainedConfig? Pretrained
    {
        get => _pretrained;
        set
        {
            value?.ValidateFor(Config);
            _pretrained = value;
        }
    }

    /// <summary>
    /// Runs the layers on feature maps stored channels-last (NHWC strides; the shapes stay <c>[N, C, H, W]</c>). On the
    /// CPU, libtorch's depthwise and 1×1 convolutions and BatchNorm are faster on that layout: training ConvMixer-96/8
    /// (kernel 3, ReLU) on Fashion-MNIST runs 20–28% more images per second; a GELU, kernel 5 ConvMixer-256/8 does not
    /// gain. The results agree with the default layout to float rounding. Off by default; the trainer turns it on
    /// (<c>TrainerOptions.ChannelsLast</c>).
    /// </summary>
    public bool ChannelsLast { get; set; }

    /// <summary>Width of the pooled features that feed the classifier (equals <c>dim</c>).</summary>
    public int NumFeatures => Config.Dim;

    /// <summary>Classifier outputs; 0 when the model has no classifier.</summary>
    public int NumClasses => Config.NumClasses;

    /// <summary>The patch embedding: convolution, activation, BatchNorm (state-dict prefix <c>stem</c>).</summary>
    public Sequential Stem => stem;

    /// <summary>The patch-embedding convolution (kernel and stride = patch size), key <c>stem.0</c>.</summary>
    public Conv2d PatchEmbedding => (Conv2d)stem[0];

    /// <summary>The ConvMixer layers in order (state-dict prefix <c>blocks.{i}</c>).</summary>
    public IReadOnlyList<ConvMixerLayer> Layers => _layers;

    /// <summary>The classifier (<c>Linear(dim, numClasses)</c>), or an identity when there are no classes.</summary>
    public Module<Tensor, Tensor> Head => head;

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Classifies a batch <c>[N, inChannels, H, W]</c>: returns logits <c>[N, numClasses]</c> (or pooled features <c>[N, dim]</c> with no classifier).</summary>
    /// <exception cref="ArgumentException">The input is not a non-empty 4-D batch with the expected channels, at least one patch per side, and the model's device and dtype.</exception>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return ForwardHead(ForwardFeatures(input)).MoveToOuterDisposeScope();
    }

    /// <summary>Patch embedding and ConvMixer layers: returns the feature map <c>[N, dim, H / patch, W / patch]</c> (trailing pixels dropped, as in PyTorch).</summary>
    public Tensor ForwardFeatures(Tensor input)
    {
        TensorChecks.ImageBatch(input, Config.InChannels, Config.PatchSize, PatchEmbedding.weight!, nameof(input));
        using var scope = NewDisposeScope();
        // call() rather than forward(): TorchSharp runs forward hooks only through call() (feature extraction, Grad-CAM).
        var x = stem.call(input);
        if (ChannelsLast)
        {
            x = TensorLayout.ToChannelsLast(x);
        }

        foreach (var layer in _layers)
        {
            x = layer.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Global average pooling, dropout and the classifier, applied to a feature map <c>[N, dim, h, w]</c>.</summary>
    /// <param name="features">Output of <see cref="ForwardFeatures"/>.</param>
    /// <param name="preLogits">When true, returns the pooled features <c>[N, dim]</c> instead of the logits.</param>
    public Tensor ForwardHead(Tensor features, bool preLogits = false)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 4 || features.shape[1] != Config.Dim)
        {
            throw new ArgumentException(
                $"Expected a feature map [N, {Config.Dim}, h, w], but got shape {TensorChecks.Shape(features)}.", nameof(features));
        }

        using var scope = NewDisposeScope();
        var pooled = head_drop.call(pooling.call(features).flatten(1));
        return (preLogits ? pooled : head.call(pooled)).MoveToOuterDisposeScope();
    }

    /// <summary>Replaces the classifier with a freshly initialised one for <paramref name="numClasses"/> outputs (0 removes it), on the model's device and dtype.</summary>
    public void ResetClassifier(int numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numClasses);
        var weight = PatchEmbedding.weight!;
        var fresh = numClasses > 0
            ? Linear(Config.Dim, numClasses, device: weight.device, dtype: weight.dtype)
            : (Module<Tensor, Tensor>)Identity();
        fresh.train(training);

        register_module(nameof(head), null!); // unregisters the old head
        head.Dispose();
        head = fresh;
        register_module(nameof(head), head);
        Config = Config with { NumClasses = numClasses };
        // The old class names belong to the old head; the preprocessing still applies.
        _pretrained = _pretrained is null ? null : _pretrained with { LabelNames = null, Metrics = null };
    }

    private Module<Tensor, Tensor> CreateHead(int numClasses) =>
        numClasses > 0 ? Linear(Config.Dim, numClasses, device: _device, dtype: _dtype) : Identity();
}
