using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Core.Tests;

public class StateDictKeyTests
{
    [Theory]
    [InlineData("caseA")]
    [InlineData("caseC")]
    public void Keys_equal_timms_keys(string caseName)
    {
        var golden = GoldenCase.Load(caseName);
        using var model = new ConvMixer(golden.Config);

        model.state_dict().Keys.Should().BeEquivalentTo(golden.Keys);
    }

    [Fact]
    public void Keys_follow_timms_layout_for_every_layer()
    {
        using var model = new ConvMixer(dim: 8, depth: 3, kernelSize: 3, patchSize: 2, numClasses: 4);
        var keys = model.state_dict().Keys;

        keys.Should().HaveCount(7 + (3 * 14) + 2); // stem conv 2 + BN 5; per layer 2 convs x 2 + 2 BNs x 5; head 2
        keys.Should().Contain(["stem.0.weight", "stem.0.bias", "stem.2.running_var", "stem.2.num_batches_tracked", "head.weight", "head.bias"]);
        for (var i = 0; i < 3; i++)
        {
            keys.Should().Contain([$"blocks.{i}.0.fn.0.weight", $"blocks.{i}.0.fn.2.running_mean", $"blocks.{i}.1.weight", $"blocks.{i}.3.num_batches_tracked"]);
        }
    }

    [Fact]
    public void Official_layout_keys_translate_to_timms()
    {
        var official = GoldenCase.Load("caseF");
        var timm = GoldenCase.Load("caseA"); // same architecture

        var renamed = StateDictLayout.ToTimm(official.Keys);

        renamed.Values.Should().BeEquivalentTo(timm.Keys);
        renamed["0.weight"].Should().Be("stem.0.weight");
        renamed["4.0.fn.2.running_var"].Should().Be("blocks.1.0.fn.2.running_var");
        renamed["7.bias"].Should().Be("head.bias");
    }

    [Fact]
    public void DataParallel_prefix_is_stripped()
    {
        var renamed = StateDictLayout.ToTimm(["module.stem.0.weight", "module.head.bias"]);
        renamed.Values.Should().Equal("stem.0.weight", "head.bias");
    }

    [Fact]
    public void Readable_properties_alias_the_registered_modules()
    {
        using var model = new ConvMixer(dim: 8, depth: 2, kernelSize: 3, patchSize: 2, numClasses: 4);
        var state = model.state_dict();

        model.Layers[1].DepthwiseConv.weight!.Handle.Should().Be(state["blocks.1.0.fn.0.weight"].Handle);
        model.Layers[1].PointwiseNorm.running_mean!.Handle.Should().Be(state["blocks.1.3.running_mean"].Handle);
        model.PatchEmbedding.weight!.Handle.Should().Be(state["stem.0.weight"].Handle);
    }
}
