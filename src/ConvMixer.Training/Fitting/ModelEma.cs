using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>
/// timm's <c>ModelEmaV3</c>: an exponential moving average of a model's whole state (parameters and buffers) kept in a
/// second model of the same architecture. After every optimizer step, <see cref="Update"/> moves each floating-point
/// value toward the model's by <c>1 − decay</c> (<c>lerp</c>) and copies the integer ones (BatchNorm's batch counts).
/// The decay at optimizer step t (1-based, as timm's <c>num_updates</c>) is 0 at the first step, then
/// <see cref="Decay"/>, or with warm-up <c>clamp(1 − (1 + (t−1)/γ)^−p, min, decay)</c>.
/// </summary>
public sealed class ModelEma : IDisposable
{
    /// <summary>The model folder, inside a training run's output, that holds the run's weight EMA.</summary>
    public const string RunFolderName = "ema";

    private readonly nn.Module _shadow;
    private readonly bool _ownsShadow;

    /// <summary>Keeps the average in <paramref name="shadow"/>, which must have <paramref name="model"/>'s architecture; it is set to the model's state now.</summary>
    /// <param name="model">The model being trained.</param>
    /// <param name="shadow">Receives the average; put in eval mode.</param>
    /// <param name="decay">timm's <c>--model-ema-decay</c> (default 0.9998).</param>
    /// <param name="useWarmup">timm's <c>--model-ema-warmup</c>.</param>
    /// <param name="ownsShadow">Dispose <paramref name="shadow"/> with this object.</param>
    public ModelEma(nn.Module model, nn.Module shadow, double decay = 0.9998, bool useWarmup = false, bool ownsShadow = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(shadow);
        if (!(decay >= 0 && decay <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The EMA decay must be in [0, 1].");
        }

        _shadow = shadow;
        _ownsShadow = ownsShadow;
        Decay = decay;
        UseWarmup = useWarmup;
        var (mine, theirs) = (shadow.state_dict(), model.state_dict());
        if (!mine.Keys.Order(StringComparer.Ordinal).SequenceEqual(theirs.Keys.Order(StringComparer.Ordinal)))
        {
            throw new ArgumentException("The EMA model's state has other names than the model's: give it a model of the same architecture.", nameof(shadow));
        }

        Set(model);
        shadow.eval();
    }

    /// <summary>The decay after warm-up.</summary>
    public double Decay { get; }

    /// <summary>Whether the decay warms up as timm's <c>use_warmup</c> (γ = 1, p = 2/3).</summary>
    public bool UseWarmup { get; }

    /// <summary>The averaged model (in eval mode): evaluate and save it as timm does with <c>model_ema.module</c>.</summary>
    public nn.Module Model => _shadow;

    /// <summary>An EMA of <paramref name="model"/> in a new ConvMixer of the same configuration on the same device.</summary>
    public static ModelEma For(ConvMixer model, double decay = 0.9998, bool useWarmup = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var shadow = new ConvMixer(model.Config);
        shadow.to(model.PatchEmbedding.weight!.device);
        return new ModelEma(model, shadow, decay, useWarmup, ownsShadow: true);
    }

    /// <summary>timm's <c>get_decay(step)</c> for optimizer step <paramref name="step"/> (1-based).</summary>
    public double DecayAt(long step)
    {
        var t = Math.Max(0, step - 1);
        if (t <= 0)
        {
            return 0.0;
        }

        if (!UseWarmup)
        {
            return Decay;
        }

        const double gamma = 1.0, power = 2.0 / 3.0;
        return Math.Max(Math.Min(1 - Math.Pow(1 + (t / gamma), -power), Decay), 0.0);
    }

    /// <summary>Moves the average toward <paramref name="model"/>'s state with the decay of optimizer step <paramref name="step"/>.</summary>
    public void Update(nn.Module model, long step)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var theirs = model.state_dict();
        // TorchSharp's lerp_ takes its weight as a tensor; a float32 scalar tensor is the weight timm's float kernel uses.
        var amount = (float)(1.0 - DecayAt(step));
        Tensor? weight = null;
        foreach (var (name, value) in _shadow.state_dict())
        {
            var source = theirs[name];
            if (value.is_floating_point())
            {
                // On the average's device, which a GPU lerp requires of its weight.
                weight ??= tensor(amount, device: value.device);
                value.lerp_(source, weight);
            }
            else
            {
                value.copy_(source);
            }
        }
    }

    /// <summary>timm's <c>set</c>: copies <paramref name="model"/>'s state into the average.</summary>
    public void Set(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var theirs = model.state_dict();
        foreach (var (name, value) in _shadow.state_dict())
        {
            value.copy_(theirs[name]);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsShadow)
        {
            _shadow.Dispose();
        }
    }
}
