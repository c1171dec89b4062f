using ConvMixerNet.Onnx.Protobuf;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Onnx.Tests;

/// <summary>int8 QDQ quantization: the graph's structure, the kernels ONNX Runtime actually runs, and agreement with float32.</summary>
public class QuantizationTests
{
    private static readonly ConvMixerConfig GeluModel = new(16, 2, 5, 4, 10);
    private static readonly ConvMixerConfig ReluModel = new(16, 2, 4, 3, 10, 3, Activation.Relu);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_convolution_gets_int8_per_channel_weights_with_QDQ_on_its_input_and_output(bool relu)
    {
        var config = relu ? ReluModel : GeluModel;
        using var exported = new ExportedModel(config);
        var int8 = exported.File("model.int8.onnx");

        var result = OnnxInt8Quantizer.Quantize(exported.Path, int8, CalibrationBatch.Random(2, 2, 3, 24, 24));

        var graph = ConvMixerOnnxFile.Read(int8).Graph;
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var consumers = graph.Node.SelectMany(n => n.Input.Select(i => (i, n))).ToLookup(p => p.i, p => p.n);
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var convs = graph.Node.Where(n => n.OpType == "Conv").ToList();
        convs.Should().HaveCount(1 + (2 * config.Depth));
        result.QuantizedConvolutions.Should().Be(convs.Count);
        foreach (var conv in convs)
        {
            var input = producers[conv.Input[0]];
            input.OpType.Should().Be("DequantizeLinear");
            producers[input.Input[0]].OpType.Should().Be("QuantizeLinear");

            var weights = producers[conv.Input[1]];
            weights.OpType.Should().Be("DequantizeLinear");
            var data = initializers[weights.Input[0]];
            data.DataType.Should().Be((int)TensorProto.Types.DataType.Int8);
            initializers[weights.Input[1]].Dims.Should().Equal(data.Dims[0]); // one scale per output channel
            weights.Attribute.Single(a => a.Name == "axis").I.Should().Be(0);
            initializers[producers[conv.Input[2]].Input[0]].DataType.Should().Be((int)TensorProto.Types.DataType.Int32);

            // After the convolution (or the ReLU that ONNX Runtime folds into it) comes QuantizeLinear.
            var next = consumers[conv.Output[0]].Single();
            if (relu)
            {
                next.OpType.Should().Be("Relu");
                next = consumers[next.Output[0]].Single();
            }

            next.OpType.Should().Be("QuantizeLinear");
        }

        var head = graph.Node.Single(n => n.OpType == "Gemm");
        initializers[producers[head.Input[1]].Input[0]].DataType.Should().Be((int)TensorProto.Types.DataType.Int8);
        graph.Node.Should().NotContain(n => n.OpType == "Erf" || n.OpType == "BatchNormalization");
        ConvMixerOnnxFile.Describe(int8).IsQuantized.Should().BeTrue();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ONNX_Runtime_runs_every_convolution_as_its_int8_kernel_without_per_layer_transposes(bool relu)
    {
        var config = relu ? ReluModel : GeluModel;
        using var exported = new ExportedModel(config);
        var int8 = exported.File("model.int8.onnx");
        var optimized = exported.File("optimized.onnx");
        OnnxInt8Quantizer.Quantize(exported.Path, int8, CalibrationBatch.Random(1, 2, 3, 24, 24));

        using (OnnxConvMixer.Load(int8, new OnnxRuntimeOptions { OptimizedModelPath = optimized }))
        {
        }

        var ops = ConvMixerOnnxFile.Read(optimized).Graph.Node.Select(n => n.OpType).ToList();
        ops.Count(op => op == "QLinearConv").Should().Be(1 + (2 * config.Depth));
        ops.Should().NotContain("Conv");
        ops.Count(op => op == "Transpose").Should().BeLessThanOrEqualTo(2, "only the way into and out of the channels-last int8 section");
        if (relu)
        {
            ops.Should().NotContain("Relu", "ONNX Runtime folds a ReLU followed by QuantizeLinear into the int8 convolution");
        }
    }

    [Fact]
    public void The_int8_model_agrees_with_float32_on_a_batch()
    {
        // The golden case's weights (He-normal convolutions, random BatchNorm statistics), calibrated on other images.
        var golden = GoldenCase.Load("caseA");
        using var exported = new ExportedModel(golden.BuildModel());
        var int8 = exported.File("model.int8.onnx");
        var calibration = Enumerable.Range(0, 4).Select(i => new CalibrationBatch(TestModels.Batch(4, 3, 32, 32, seed: 100 + i), 4, 3, 32, 32));
        OnnxInt8Quantizer.Quantize(exported.Path, int8, calibration);
        const int n = 64;
        var batch = TestModels.Batch(n, 3, 32, 32, seed: 7);

        using var fp32 = OnnxConvMixer.Load(exported.Path);
        using var quantized = OnnxConvMixer.Load(int8);
        var expected = fp32.ComputeLogits(batch, [n, 3, 32, 32]);
        var actual = quantized.ComputeLogits(batch, [n, 3, 32, 32]);

        var agreement = expected.ArgMaxRows(10).Zip(actual.ArgMaxRows(10)).Count(p => p.First == p.Second);
        agreement.Should().BeGreaterThanOrEqualTo(n * 9 / 10);
        var scale = expected.Max(Math.Abs);
        expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(0.1f * scale);
    }

    [Fact]
    public void The_patch_embedding_can_stay_float32_and_percentile_calibration_narrows_the_ranges()
    {
        using var exported = new ExportedModel(GeluModel);
        var minMax = exported.File("minmax.onnx");
        var percentile = exported.File("percentile.onnx");
        OnnxInt8Quantizer.Quantize(exported.Path, minMax, CalibrationBatch.Random(2, 2, 3, 24, 24));

        var result = OnnxInt8Quantizer.Quantize(exported.Path, percentile, CalibrationBatch.Random(2, 2, 3, 24, 24),
            new OnnxQuantizationOptions { KeepPatchEmbeddingFloat = true, Calibration = CalibrationMethod.Percentile, Percentile = 99.0 });

        result.QuantizedConvolutions.Should().Be(2 * GeluModel.Depth);
        var graph = ConvMixerOnnxFile.Read(percentile).Graph;
        var stem = graph.Node.Single(n => n.OpType == "Conv" && n.Input[0] == "input");
        graph.Initializer.Single(t => t.Name == stem.Input[1]).DataType.Should().Be((int)TensorProto.Types.DataType.Float);
        float Scale(string path, string tensor) =>
            InitializerData.Floats(ConvMixerOnnxFile.Read(path).Graph.Initializer.Single(t => t.Name == tensor))[0];
        var someActivation = "blocks.0.1_output_scale"; // the pointwise convolution's output
        Scale(percentile, someActivation).Should().BeLessThan(Scale(minMax, someActivation));
        ConvMixerOnnxFile.Describe(percentile).Metadata[OnnxMetadataKeys.QuantizationCalibration].Should().Be("percentile 99");
    }

    [Fact]
    public void Quantizing_without_calibration_data_is_a_clear_error()
    {
        using var exported = new ExportedModel(GeluModel);
        var int8 = exported.File("model.int8.onnx");

        var act = () => OnnxInt8Quantizer.Quantize(exported.Path, int8, []);

        act.Should().Throw<ArgumentException>().WithMessage("*calibration data*");
        File.Exists(int8).Should().BeFalse();
    }

    [Fact]
    public void Calibration_batches_that_do_not_fit_the_model_are_rejected()
    {
        using var exported = new ExportedModel(GeluModel);

        var act = () => OnnxInt8Quantizer.Quantize(exported.Path, exported.File("q.onnx"), CalibrationBatch.Random(1, 1, 1, 24, 24));

        act.Should().Throw<ArgumentException>().WithMessage("*[1, 1, 24, 24]*model.onnx*[N, 3, H ≥ 4, W ≥ 4]*");
    }

    [Fact]
    public void An_int8_model_is_not_quantized_twice()
    {
        using var exported = new ExportedModel(GeluModel);
        var int8 = exported.File("model.int8.onnx");
        OnnxInt8Quantizer.Quantize(exported.Path, int8, CalibrationBatch.Random(1, 1, 3, 16, 16));

        var act = () => OnnxInt8Quantizer.Quantize(int8, exported.File("again.onnx"), CalibrationBatch.Random(1, 1, 3, 16, 16));

        act.Should().Throw<InvalidOnnxModelException>().WithMessage("*already quantized*");
    }

    [Fact]
    public void The_quantized_file_keeps_the_callers_metadata_and_runs_any_image_size()
    {
        using var exported = new ExportedModel(GeluModel, new Dictionary<string, string> { ["class_names"] = "x" });
        var int8 = exported.File("model.int8.onnx");
        OnnxInt8Quantizer.Quantize(exported.Path, int8, CalibrationBatch.Random(1, 2, 3, 24, 24));

        using var onnx = OnnxConvMixer.Load(int8);
        var logits = onnx.ComputeLogits(TestModels.Batch(2, 3, 19, 30), [2, 3, 19, 30]);

        onnx.IsQuantized.Should().BeTrue();
        onnx.Metadata.Should().ContainKey("class_names").WhoseValue.Should().Be("x");
        logits.Should().HaveCount(20).And.OnlyContain(v => float.IsFinite(v));
    }
}
