using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// Files written before every container stored the one model description still load the same model: separate
/// metadata keys (<c>residual_placement</c> as <c>AroundSpatialMixing</c>) and training checkpoints of format version 2.
/// </summary>
public class EarlierVersionTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "earlier-versions", name);

    [Fact]
    public void Safetensors_with_only_the_separate_keys_keep_their_activation()
    {
        using var model = ConvMixer.FromCheckpoint(Fixture("relu_dim12_depth3_k4_p3.safetensors"));

        model.Config.Should().Be(new ConvMixerConfig(12, 3, 4, 3, 5, 3, Activation.Relu, ResidualPlacement.AroundSpatialMixing));
        model.Pretrained.Should().BeNull("the file stores no preprocessing");
    }

    [Theory]
    [InlineData("AroundLayer")]
    [InlineData("around_layer")]
    public void Both_spellings_of_the_residual_placement_in_separate_keys_are_read(string spelling)
    {
        var config = new ConvMixerConfig(8, 2, 3, 2, 4, 1, Activation.Relu, ResidualPlacement.AroundLayer);
        using var original = new ConvMixer(config);
        using var folder = new TemporaryDirectory();
        var path = folder.File("old.safetensors");
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["architecture"] = "convmixer",
            ["dim"] = "8",
            ["depth"] = "2",
            ["kernel_size"] = "3",
            ["patch_size"] = "2",
            ["num_classes"] = "4",
            ["in_chans"] = "1",
            ["activation"] = "relu",
            ["residual_placement"] = spelling,
        };
        using (var scope = torch.NewDisposeScope())
        using (var stream = File.Create(path))
        {
            SafetensorsFile.Write(stream, original.state_dict().Select(p => KeyValuePair.Create(p.Key, p.Value.detach().contiguous())).ToList(), metadata);
        }

        using var loaded = ConvMixer.FromCheckpoint(path);

        loaded.Config.Should().Be(config);
    }

    [Theory]
    [InlineData("residual_placement", "sideways", "'model_args.residual_placement' is 'sideways'; expected one of around_spatial_mixing, around_layer")]
    [InlineData("activation", "swish", "'model_args.activation' is 'swish'; expected one of gelu, relu")]
    public void A_bad_key_of_an_earlier_version_is_refused_naming_it(string key, string value, string problem)
    {
        using var original = new ConvMixer(new ConvMixerConfig(8, 2, 3, 2, 4, 1));
        using var folder = new TemporaryDirectory();
        var path = folder.File("old.safetensors");
        using (var scope = torch.NewDisposeScope())
        using (var stream = File.Create(path))
        {
            SafetensorsFile.Write(stream, original.state_dict().Select(p => KeyValuePair.Create(p.Key, p.Value.detach().contiguous())).ToList(), new Dictionary<string, string> { ["format"] = "pt", [key] = value });
        }

        FluentActions.Invoking(() => ConvMixer.FromCheckpoint(path)).Should().Throw<InvalidCheckpointException>().WithMessage($"*old.safetensors*{problem}*");
    }

    [Fact]
    public void A_run_folder_of_the_previous_version_loads_from_each_of_its_files_as_the_same_model()
    {
        using var folder = ConvMixer.FromCheckpoint(Fixture("run"));
        using var weights = ConvMixer.FromCheckpoint(Fixture("run/model.safetensors"));
        using var checkpoint = ConvMixer.FromCheckpoint(Fixture("run/checkpoint.ckpt"));

        var expected = new ConvMixerConfig(8, 1, 3, 2, 2, 3, Activation.Gelu, ResidualPlacement.AroundSpatialMixing);
        foreach (var model in new[] { folder, weights, checkpoint })
        {
            model.Config.Should().Be(expected);
            model.Pretrained!.LabelNames.Should().Equal("cats", "dogs");
            model.Pretrained.Should().Be(folder.Pretrained);
        }
    }
}
