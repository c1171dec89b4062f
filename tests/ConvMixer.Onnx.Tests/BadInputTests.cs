using ConvMixerNet.Onnx.Protobuf;
using FluentAssertions;
using Google.Protobuf;
using Xunit;

namespace ConvMixerNet.Onnx.Tests;

/// <summary>Unusable files and batches give clear exceptions that name the file and the problem, never ONNX Runtime's own.</summary>
public class BadInputTests
{
    private static readonly ConvMixerConfig Small = new(8, 1, 3, 4, 5);

    [Fact]
    public void A_missing_file_is_reported_as_such()
    {
        using var folder = new TemporaryDirectory();
        var act = () => OnnxConvMixer.Load(folder.File("absent.onnx"));
        act.Should().Throw<FileNotFoundException>().WithMessage("*absent.onnx*");
    }

    [Fact]
    public void A_file_that_is_not_ONNX_is_rejected_with_its_name()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("notes.onnx");
        File.WriteAllText(path, "This is a text file, not a model.\n");

        var act = () => OnnxConvMixer.Load(path);

        act.Should().Throw<InvalidOnnxModelException>().Where(e => e.Path == path && e.Message.Contains("notes.onnx"));
    }

    [Fact]
    public void A_truncated_export_is_rejected()
    {
        using var exported = new ExportedModel(Small);
        var bytes = File.ReadAllBytes(exported.Path);
        var truncated = exported.File("truncated.onnx");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);

        var load = () => OnnxConvMixer.Load(truncated);
        var describe = () => ConvMixerOnnxFile.Describe(truncated);

        load.Should().Throw<InvalidOnnxModelException>().Where(e => e.Message.Contains("truncated.onnx"));
        describe.Should().Throw<InvalidOnnxModelException>().WithMessage("*truncated*");
    }

    [Fact]
    public void An_ONNX_model_without_the_architecture_metadata_is_not_taken_for_a_ConvMixer()
    {
        using var exported = new ExportedModel(Small);
        var model = ConvMixerOnnxFile.Read(exported.Path);
        model.MetadataProps.Clear();
        var stripped = exported.File("stripped.onnx");
        File.WriteAllBytes(stripped, model.ToByteArray());

        var act = () => OnnxConvMixer.Load(stripped);

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("*stripped.onnx*not a ConvMixer export*dim*");
    }

    [Fact]
    public void An_ONNX_graph_with_other_inputs_and_outputs_is_not_taken_for_a_ConvMixer()
    {
        // A valid ONNX model (Identity) that even carries our metadata keys, but not our graph's signature.
        using var exported = new ExportedModel(Small);
        var model = ConvMixerOnnxFile.Read(exported.Path);
        model.Graph = new GraphProto { Name = "identity" };
        model.Graph.Input.Add(OnnxGraphBuilder.FloatTensor("pixels", "n", 3L, "h", "w"));
        model.Graph.Output.Add(OnnxGraphBuilder.FloatTensor("same", "n", 3L, "h", "w"));
        model.Graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "pixels" }, Output = { "same" } });
        var other = exported.File("identity.onnx");
        File.WriteAllBytes(other, model.ToByteArray());

        var act = () => OnnxConvMixer.Load(other);

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("*identity.onnx*expected one input 'input'*'pixels'*");
    }

    [Theory]
    [InlineData(new[] { 2, 1, 16, 16 }, "*model.onnx*[N ≥ 1, 3, H ≥ 4, W ≥ 4]*[2, 1, 16, 16]*")] // wrong channels
    [InlineData(new[] { 1, 3, 3, 16 }, "*model.onnx*at least one 4×4 patch*")] // smaller than a patch
    [InlineData(new[] { 0, 3, 16, 16 }, "*N ≥ 1*")]
    [InlineData(new[] { 3, 16, 16 }, "*model.onnx*4-D*")]
    public void A_batch_that_does_not_fit_is_rejected_before_ONNX_Runtime_sees_it(int[] shape, string message)
    {
        using var exported = new ExportedModel(Small);
        using var onnx = OnnxConvMixer.Load(exported.Path);
        var values = new float[Math.Max(1, shape.Aggregate(1, (a, b) => a * b))];

        var act = () => onnx.ComputeLogits(values, shape);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void A_batch_whose_length_disagrees_with_its_shape_is_rejected()
    {
        using var exported = new ExportedModel(Small);
        using var onnx = OnnxConvMixer.Load(exported.Path);

        var tooShort = () => onnx.ComputeLogits(new float[(2 * 3 * 8 * 8) - 1], [2, 3, 8, 8]);
        var wrongOutput = () => onnx.ComputeLogits(new float[2 * 3 * 8 * 8], [2, 3, 8, 8], new float[9]);

        tooShort.Should().Throw<ArgumentException>().WithMessage("*holds 383 values*needs 384*");
        wrongOutput.Should().Throw<ArgumentException>().WithMessage("*holds 9 values*needs 10*");
    }

    [Fact]
    public void A_disposed_model_refuses_to_run()
    {
        using var exported = new ExportedModel(Small);
        var onnx = OnnxConvMixer.Load(exported.Path);
        onnx.Dispose();
        onnx.Dispose(); // twice is harmless

        var act = () => onnx.ComputeLogits(new float[3 * 8 * 8], [1, 3, 8, 8]);

        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Runtime_options_are_checked()
    {
        using var exported = new ExportedModel(Small);
        var act = () => OnnxConvMixer.Load(exported.Path, new OnnxRuntimeOptions { IntraOpThreads = -1 });
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
