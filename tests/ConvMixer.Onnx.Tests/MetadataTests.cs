using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Onnx.Tests;

/// <summary>A file alone describes its architecture; callers' metadata travels with it.</summary>
public class MetadataTests
{
    [Fact]
    public void The_architecture_and_the_callers_metadata_are_stored_and_read_back()
    {
        var config = new ConvMixerConfig(12, 3, 4, 2, 7, 1, Activation.Relu, ResidualPlacement.AroundLayer);
        var extra = new Dictionary<string, string> { ["preprocessing"] = "{\"size\":28}", ["class_names"] = "a,b,c,d,e,f,g" };
        using var exported = new ExportedModel(config, extra);

        var description = ConvMixerOnnxFile.Describe(exported.Path);
        using var onnx = OnnxConvMixer.Load(exported.Path);

        description.Architecture.Should().Be(config);
        description.IsQuantized.Should().BeFalse();
        onnx.Architecture.Should().Be(config);
        onnx.Metadata.Should().Contain(extra);
        onnx.Metadata.Should().Contain(new Dictionary<string, string>
        {
            ["dim"] = "12",
            ["depth"] = "3",
            ["kernel_size"] = "4",
            ["patch_size"] = "2",
            ["in_chans"] = "1",
            ["num_classes"] = "7",
            ["activation"] = "relu",
            ["residual_placement"] = "around_layer",
        });
    }

    [Theory]
    [InlineData("dim")]
    [InlineData("quantization")]
    public void Caller_metadata_may_not_overwrite_the_architecture_keys(string key)
    {
        using var model = TestModels.Randomized(new ConvMixerConfig(8, 1, 3, 4, 5));
        using var folder = new TemporaryDirectory();

        var act = () => ConvMixerOnnxExporter.Export(model, folder.File("m.onnx"), new Dictionary<string, string> { [key] = "1" });

        act.Should().Throw<ArgumentException>().WithMessage($"*'{key}'*reserved*");
        File.Exists(folder.File("m.onnx")).Should().BeFalse();
    }

    [Fact]
    public void The_default_export_uses_opset_17_and_the_Erf_pattern_and_Gelu20_uses_one_node()
    {
        using var model = TestModels.Randomized(new ConvMixerConfig(8, 1, 3, 4, 5));

        var erf = ConvMixerOnnxExporter.BuildModel(model, null, null);
        var gelu = ConvMixerOnnxExporter.BuildModel(model, null, new OnnxExportOptions { GeluForm = OnnxGeluForm.Gelu20 });

        erf.OpsetImport.Single().Version.Should().Be(17);
        erf.Graph.Node.Count(n => n.OpType == "Erf").Should().Be(3);
        gelu.OpsetImport.Single().Version.Should().Be(20);
        gelu.Graph.Node.Count(n => n.OpType == "Gelu").Should().Be(3);
        gelu.Graph.Node.Should().NotContain(n => n.OpType == "Erf");
    }

    [Fact]
    public void Even_kernels_pad_one_more_pixel_after_than_before()
    {
        using var model = TestModels.Randomized(new ConvMixerConfig(8, 1, 4, 2, 5));

        var graph = ConvMixerOnnxExporter.BuildModel(model, null, null).Graph;
        var depthwise = graph.Node.Single(n => n.Name == "blocks.0.0.fn.0");

        depthwise.Attribute.Single(a => a.Name == "pads").Ints.Should().Equal(1, 1, 2, 2);
        depthwise.Attribute.Single(a => a.Name == "group").I.Should().Be(8);
    }
}
