using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Onnx.Tests;

/// <summary>ONNX Runtime's float32 logits equal the references within 1e-5 + 1e-5·|expected|.</summary>
public class ExportParityTests
{
    [Theory]
    [InlineData("caseA", OnnxGeluForm.ErfPattern)]
    [InlineData("caseA", OnnxGeluForm.Gelu20)]
    [InlineData("caseC", OnnxGeluForm.ErfPattern)] // even kernel: 'same' pads 1 before, 2 after
    [InlineData("caseC", OnnxGeluForm.Gelu20)]
    [InlineData("caseF", OnnxGeluForm.ErfPattern)] // official repository's layout, loaded into our module
    public void Logits_match_the_reference_implementation(string caseName, OnnxGeluForm gelu)
    {
        var golden = GoldenCase.Load(caseName);
        using var model = golden.BuildModel();
        using var input = golden.Input;
        using var expected = golden.Logits;
        using var folder = new TemporaryDirectory();
        var path = folder.File("model.onnx");

        ConvMixerOnnxExporter.Export(model, path, options: new OnnxExportOptions { GeluForm = gelu });
        using var onnx = OnnxConvMixer.Load(path);
        var logits = onnx.ComputeLogits(TestModels.Flat(input), TestModels.Shape(input));

        logits.ShouldBeCloseTo(TestModels.Flat(expected));
    }

    [Theory]
    [InlineData(16, 2, 4, 3, 5, 3, Activation.Gelu, ResidualPlacement.AroundSpatialMixing, 2, 23, 17)] // even kernel, sides not divisible by the patch
    [InlineData(12, 3, 3, 2, 7, 3, Activation.Relu, ResidualPlacement.AroundLayer, 1, 9, 14)]
    [InlineData(8, 1, 6, 4, 4, 1, Activation.Gelu, ResidualPlacement.AroundLayer, 3, 30, 13)] // one channel, even kernel larger than the map
    [InlineData(10, 2, 5, 2, 0, 3, Activation.Relu, ResidualPlacement.AroundSpatialMixing, 2, 11, 8)] // no classifier: pooled features
    public void Any_shape_activation_and_residual_matches_the_TorchSharp_forward(
        int dim, int depth, int kernel, int patch, int classes, int channels, Activation activation, ResidualPlacement residual, int n, int h, int w)
    {
        var config = new ConvMixerConfig(dim, depth, kernel, patch, classes, channels, activation, residual);
        using var model = TestModels.Randomized(config);
        var shape = new[] { n, channels, h, w };
        var batch = TestModels.Batch(n, channels, h, w);
        var expected = TestModels.TorchLogits(model, batch, shape);
        using var folder = new TemporaryDirectory();
        var path = folder.File("model.onnx");

        ConvMixerOnnxExporter.Export(model, path);
        using var onnx = OnnxConvMixer.Load(path);
        var logits = onnx.ComputeLogits(batch, shape);

        onnx.OutputWidth.Should().Be(classes > 0 ? classes : dim);
        logits.ShouldBeCloseTo(expected);
    }

    [Fact]
    public void One_session_serves_batches_of_different_sizes_and_threads_at_once()
    {
        var config = new ConvMixerConfig(16, 2, 5, 4, 6);
        using var model = TestModels.Randomized(config);
        using var folder = new TemporaryDirectory();
        var path = folder.File("model.onnx");
        ConvMixerOnnxExporter.Export(model, path);
        using var onnx = OnnxConvMixer.Load(path, new OnnxRuntimeOptions { IntraOpThreads = 1 });
        var cases = Enumerable.Range(0, 8).Select(i => (Shape: new[] { 1 + (i % 3), 3, 16 + (4 * i), 20 - i }, Seed: i)).ToList();
        var batches = cases.Select(c => TestModels.Batch(c.Shape[0], 3, c.Shape[2], c.Shape[3], c.Seed)).ToList();
        var expected = cases.Select((c, i) => TestModels.TorchLogits(model, batches[i], c.Shape)).ToList();

        var results = new float[cases.Count][];
        Parallel.For(0, cases.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var i = k % cases.Count;
            results[i] = onnx.ComputeLogits(batches[i], cases[i].Shape);
        });

        for (var i = 0; i < cases.Count; i++)
        {
            results[i].ShouldBeCloseTo(expected[i]);
        }
    }

    [Fact]
    public void Logits_can_be_written_into_the_callers_buffer()
    {
        using var model = TestModels.Randomized(new ConvMixerConfig(8, 1, 3, 2, 4));
        using var folder = new TemporaryDirectory();
        var path = folder.File("model.onnx");
        ConvMixerOnnxExporter.Export(model, path);
        using var onnx = OnnxConvMixer.Load(path);
        var batch = TestModels.Batch(2, 3, 10, 10);
        var logits = new float[8];

        onnx.ComputeLogits(batch, [2, 3, 10, 10], logits);

        logits.ShouldBeCloseTo(TestModels.TorchLogits(model, batch, [2, 3, 10, 10]));
    }
}
