using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>
/// TorchSharp's AdamW with its update step rewritten so that every native <see cref="Scalar"/> it uses stays alive
/// for the whole native call.
/// </summary>
/// <remarks>
/// <para>
/// Why: TorchSharp 0.107's <c>AdamW.step</c> turns its numbers into Scalars by implicit conversion
/// (<c>mul_(beta1)</c>, <c>add_(eps)</c>, <c>addcdiv_(…, value: -step_size)</c>). Nothing references such a Scalar once
/// its handle has been read, so a garbage collection during the native call may run the Scalar's finalizer, which
/// frees the <c>c10::Scalar</c> that libtorch is reading. Training then dies at random with "Unknown scalar type" or a
/// failed check in <c>c10::Scalar::toFloat</c>, most often on a busy machine, where the collector's timing shifts.
/// Here each Scalar is made explicitly and disposed after the calls that read it, which keeps it reachable until then.
/// </para>
/// <para>
/// The update is PyTorch's <c>torch.optim.AdamW</c> (single-tensor form, <c>amsgrad=False</c>, <c>maximize=False</c>)
/// with TorchSharp's operations in TorchSharp's order, so the weights equal those of TorchSharp's AdamW bit for bit.
/// The optimizer state is TorchSharp's, and the class keeps the name <c>AdamW</c> because
/// <c>save_state_dict</c> writes the type's name: checkpoints written before and after this class are interchangeable.
/// </para>
/// </remarks>
internal sealed class AdamW : TorchSharp.Modules.AdamW
{
    public AdamW(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double weightDecay)
        : base(parameters, lr: learningRate, weight_decay: weightDecay)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(Update, closure);

    private void Update(ParamGroup group)
    {
        var options = (Options)group.Options;
        if (options.amsgrad == true || options.maximize == true)
        {
            throw new NotSupportedException("This AdamW implements neither amsgrad nor maximize.");
        }

        var beta1 = options.beta1!.Value;
        var beta2 = options.beta2!.Value;
        var learningRate = options.LearningRate!.Value;
        using var decay = (1 - (learningRate * options.weight_decay!.Value)).ToScalar();
        using var firstMomentKeep = beta1.ToScalar();
        using var firstMomentTake = (1 - beta1).ToScalar();
        using var secondMomentKeep = beta2.ToScalar();
        using var secondMomentTake = (1 - beta2).ToScalar();
        using var eps = options.eps!.Value.ToScalar();
        using var one = 1.ToScalar(); // add_(scalar) without alpha would convert alpha = 1 implicitly

        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null)
            {
                continue;
            }

            var state = (State)_state[param.Handle];
            state.step += 1;
            param.mul_(decay);

            var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(firstMomentKeep).add_(grad, alpha: firstMomentTake);
            state.exp_avg_sq.mul_(secondMomentKeep).addcmul_(grad, grad, value: secondMomentTake);

            using var biasCorrection2Sqrt = Math.Sqrt(biasCorrection2).ToScalar();
            using var stepSize = (-(learningRate / biasCorrection1)).ToScalar();
            var denominator = state.exp_avg_sq.sqrt().div_(biasCorrection2Sqrt).add_(eps, one);
            param.addcdiv_(state.exp_avg, denominator, value: stepSize);
        }
    }
}
