using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Core.Tests;

public class PresetTests
{
    public static TheoryData<string, long> TimmParameterCounts()
    {
        // Counted by timm itself (fixture from the reference implementation), plus the official CIFAR-10 model.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenCase.Directory, "param_counts.json")));
        var data = new TheoryData<string, long>();
        foreach (var variant in doc.RootElement.GetProperty("variants").EnumerateObject())
        {
            data.Add(variant.Name, variant.Value.GetProperty("param_count").GetInt64());
        }

        data.Add("convmixer_256_8_ks5_p2_cifar10", 594_186);
        return data;
    }

    [Theory]
    [MemberData(nameof(TimmParameterCounts))]
    public void Preset_has_the_reference_parameter_count(string name, long expected)
    {
        var config = ConvMixerPresets.Get(name);
        using var model = new ConvMixer(config);

        model.ParameterCount.Should().Be(expected);
        config.ParameterCount.Should().Be(expected);
    }

    [Fact]
    public void Preset_table_matches_the_published_architectures()
    {
        ConvMixerPresets.ConvMixer1536_20.Should().Be(new ConvMixerConfig(1536, 20, 9, 7, 1000, 3, Activation.Gelu));
        ConvMixerPresets.ConvMixer768_32.Should().Be(new ConvMixerConfig(768, 32, 7, 7, 1000, 3, Activation.Relu));
        ConvMixerPresets.ConvMixer1024_20.Should().Be(new ConvMixerConfig(1024, 20, 9, 14, 1000, 3, Activation.Gelu));
        ConvMixerPresets.ConvMixer256_8Cifar10.Should().Be(new ConvMixerConfig(256, 8, 5, 2, 10, 3, Activation.Gelu));
    }

    [Fact]
    public void Factory_functions_build_the_named_architecture()
    {
        using var model = ConvMixerModels.convmixer_768_32(numClasses: 5);
        model.Config.Should().Be(ConvMixerPresets.ConvMixer768_32 with { NumClasses = 5 });
        model.Layers.Should().HaveCount(32).And.OnlyContain(l => l.Activation == Activation.Relu && l.KernelSize == 7);
    }

    [Fact]
    public void Unknown_preset_names_the_known_ones()
    {
        var act = () => ConvMixerPresets.Get("convmixer_9_9");
        act.Should().Throw<ArgumentException>().WithMessage("*convmixer_9_9*convmixer_1536_20*");
    }
}
