using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>Hyperparameters read off the state-dict shapes of every published architecture.</summary>
public class ArchitectureInferenceTests
{
    public static TheoryData<string> PresetNames => new(ConvMixerPresets.ByName.Keys);

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void Every_preset_is_recognised_from_its_shapes(string name)
    {
        var preset = ConvMixerPresets.Get(name);
        // The meta device gives shapes without allocating the weights (ConvMixer-1536/20 is 200 MB).
        using var model = new ConvMixer(preset, device: new torch.Device(DeviceType.META));
        var shapes = model.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);

        var inferred = CheckpointArchitecture.Infer("shapes", shapes);

        inferred.Should().Be(preset with { Activation = Activation.Gelu });
    }

    [Fact]
    public void A_state_dict_of_something_else_is_refused_with_its_keys()
    {
        var shapes = new Dictionary<string, long[]> { ["conv1.weight"] = [64, 3, 7, 7], ["fc.weight"] = [1000, 512] };

        var act = () => CheckpointArchitecture.Infer("resnet.pth", shapes);

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*resnet.pth*not a ConvMixer*'conv1.weight'*");
    }

    [Fact]
    public void A_gap_in_the_layer_numbers_is_refused()
    {
        var shapes = new Dictionary<string, long[]>
        {
            ["stem.0.weight"] = [8, 3, 2, 2],
            ["blocks.0.0.fn.0.weight"] = [8, 1, 3, 3],
            ["blocks.2.0.fn.0.weight"] = [8, 1, 3, 3],
        };

        var act = () => CheckpointArchitecture.Infer("gap.pth", shapes);

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*numbered 0, 1, 2*");
    }
}
