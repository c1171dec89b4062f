using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>Forward hooks on inner modules fire during a model's forward pass (feature extraction, Grad-CAM).</summary>
public class ForwardHookTests
{
    [Fact]
    public void A_hook_on_a_layer_sees_that_layers_output_and_can_replace_it()
    {
        random.manual_seed(3);
        using var model = new ConvMixer(dim: 16, depth: 3, kernelSize: 3, patchSize: 4, numClasses: 5);
        model.eval();
        using var input = randn(2, 3, 32, 32);
        using var expectedFeatures = model.ForwardFeatures(input);

        Tensor? seen = null;
        var handle = model.Layers[^1].register_forward_hook((_, _, output) =>
        {
            seen = output.detach().clone().DetachFromDisposeScope();
            return output;
        });
        using (model.forward(input))
        {
            handle.remove();
        }

        seen.Should().NotBeNull("the hook on the last layer must fire during forward()");
        using (seen)
        {
            seen!.shape.Should().Equal(2, 16, 8, 8);
            seen.allclose(expectedFeatures).Should().BeTrue("the hook sees the last layer's output, the feature map");
        }

        // A hook that replaces the output changes what the rest of the model computes.
        model.Layers[0].PointwiseConv.register_forward_hook((_, _, output) => zeros_like(output));
        using var changed = model.ForwardFeatures(input);
        changed.allclose(expectedFeatures).Should().BeFalse("the pointwise convolution's hook is on the forward path");
    }

    [Fact]
    public void Hooks_on_the_stem_and_the_head_fire()
    {
        using var model = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 3);
        model.eval();
        var fired = new List<string>();
        model.Stem.register_forward_hook((_, _, output) => { fired.Add("stem"); return output; });
        ((nn.Module<Tensor, Tensor>)model.Head).register_forward_hook((_, _, output) => { fired.Add("head"); return output; });
        using var input = randn(1, 3, 8, 8);

        using var _ = model.forward(input);

        fired.Should().Equal("stem", "head");
    }
}
