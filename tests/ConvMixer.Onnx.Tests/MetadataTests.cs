using System.Text.Json.Nodes;
using FluentAssertions;
using Google.Protobuf;
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
        // The architecture is stored once, in the model description, under timm's names.
        onnx.Metadata.Keys.Should().NotContain(OnnxMetadataKeys.Architecture);
        var document = JsonNode.Parse(onnx.Metadata[OnnxMetadataKeys.Config])!;
        document["num_classes"]!.GetValue<int>().Should().Be(7);
        var modelArgs = document["model_args"]!;
        modelArgs["dim"]!.GetValue<int>().Should().Be(12);
        modelArgs["depth"]!.GetValue<int>().Should().Be(3);
        modelArgs["kernel_size"]!.GetValue<int>().Should().Be(4);
        modelArgs["patch_size"]!.GetValue<int>().Should().Be(2);
        modelArgs["in_chans"]!.GetValue<int>().Should().Be(1);
        modelArgs["activation"]!.GetValue<string>().Should().Be("relu");
        modelArgs["residual_placement"]!.GetValue<string>().Should().Be("around_layer");
    }

    [Fact]
    public void Files_of_earlier_versions_with_separate_architecture_keys_still_load()
    {
        var config = new ConvMixerConfig(12, 3, 4, 2, 7, 1, Activation.Relu, ResidualPlacement.AroundLayer);
        using var model = TestModels.Randomized(config);
        using var folder = new TemporaryDirectory();
        var proto = ConvMixerOnnxExporter.BuildModel(model, null, null);
        proto.MetadataProps.Clear();
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["dim"] = "12",
            ["depth"] = "3",
            ["kernel_size"] = "4",
            ["patch_size"] = "2",
            ["in_chans"] = "1",
            ["num_classes"] = "7",
            ["activation"] = "relu",
            ["residual_placement"] = "around_layer",
        })
        {
            proto.MetadataProps.Add(new Protobuf.StringStringEntryProto { Key = key, Value = value });
        }

        var path = folder.File("old.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());

        ConvMixerOnnxFile.Describe(path).Architecture.Should().Be(config);
        using var onnx = OnnxConvMixer.Load(path);
        onnx.Architecture.Should().Be(config);
        onnx.Pretrained.Should().BeNull();
    }

    [Theory]
    [InlineData("dim", "twelve", "'model_args.dim' must be an integer")]
    [InlineData("residual_placement", "sideways", "'model_args.residual_placement' is 'sideways'; expected one of around_spatial_mixing, around_layer")]
    [InlineData("depth", null, "does not determine the architecture")]
    public void Bad_architecture_keys_of_an_earlier_version_are_refused_naming_the_field(string key, string? value, string problem)
    {
        using var model = TestModels.Randomized(new ConvMixerConfig(8, 1, 3, 4, 5));
        using var folder = new TemporaryDirectory();
        var proto = ConvMixerOnnxExporter.BuildModel(model, null, null);
        proto.MetadataProps.Clear();
        var keys = new Dictionary<string, string>
        {
            ["dim"] = "8",
            ["depth"] = "1",
            ["kernel_size"] = "3",
            ["patch_size"] = "4",
            ["in_chans"] = "3",
            ["num_classes"] = "5",
            ["activation"] = "gelu",
            ["residual_placement"] = "around_spatial_mixing",
        };
        if (value is null)
        {
            keys.Remove(key);
        }
        else
        {
            keys[key] = value;
        }

        proto.MetadataProps.Add(keys.Select(k => new Protobuf.StringStringEntryProto { Key = k.Key, Value = k.Value }));
        var path = folder.File("old.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());

        FluentActions.Invoking(() => OnnxConvMixer.Load(path)).Should().Throw<InvalidOnnxModelException>().WithMessage($"*old.onnx*{problem}*");
    }

    [Fact]
    public void An_export_of_the_previous_version_loads_with_its_architecture_preprocessing_and_labels()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "earlier-versions", "run.onnx");

        using var onnx = OnnxConvMixer.Load(path);

        onnx.Metadata.Should().ContainKey("residual_placement", "the file is in the earlier layout");
        onnx.Architecture.Should().Be(new ConvMixerConfig(8, 1, 3, 2, 2, 3, Activation.Gelu, ResidualPlacement.AroundSpatialMixing));
        onnx.Pretrained!.LabelNames.Should().Equal("cats", "dogs");
        onnx.Pretrained.Data.InputSize.Should().Be(8);
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
