using ConvMixerNet.Onnx.Protobuf;
using FluentAssertions;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
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
    public void The_int8_model_agrees_with_float32_on_real_images_within_its_rounding()
    {
        // A ConvMixer trained on Fashion-MNIST, quantized as `convmixer quantize` does it (patch embedding float32),
        // calibrated on 256 test images and compared on the next 2,000 (measured: 98.5% agree; 98.9% on all 9,744).
        using var exported = new ExportedModel(ConvMixer.FromCheckpoint(FashionMnist.ModelFolder));
        var classes = exported.Model.NumClasses;
        var (int8, images, shape) = QuantizeOnFashionMnist(exported);
        var n = shape[0];

        using var fp32 = OnnxConvMixer.Load(exported.Path);
        using var quantized = OnnxConvMixer.Load(int8);
        var expected = fp32.ComputeLogits(images, shape);
        var actual = quantized.ComputeLogits(images, shape);

        var labels = FashionMnist.Labels(256, n);
        expected.ArgMaxRows(classes).Zip(labels).Count(p => p.First == p.Second).Should().BeGreaterThan(n * 8 / 10, "the model has learned the data (84% accurate)");
        var agreement = expected.ArgMaxRows(classes).Zip(actual.ArgMaxRows(classes)).Count(p => p.First == p.Second);
        agreement.Should().BeGreaterThanOrEqualTo(n * 98 / 100, "int8 keeps float32's answer on real images");
        var rms = Math.Sqrt(expected.Zip(actual).Average(p => (double)(p.First - p.Second) * (p.First - p.Second)));
        rms.Should().BeLessThan(RoundingBound(exported.Model, int8, images, shape), "the logits move no more than int8's rounding explains");
    }

    [Fact]
    public void Every_stored_int8_value_is_within_half_a_step_of_float32_and_real_images_stay_in_the_calibrated_ranges()
    {
        using var exported = new ExportedModel(ConvMixer.FromCheckpoint(FashionMnist.ModelFolder));
        var (int8, images, shape) = QuantizeOnFashionMnist(exported);
        var graph = ConvMixerOnnxFile.Read(int8).Graph;
        var stored = graph.Initializer.ToDictionary(t => t.Name);
        var original = ConvMixerOnnxFile.Read(exported.Path).Graph.Initializer.ToDictionary(t => t.Name);
        float Step(string name) => InitializerData.Floats(stored[name])[0];

        // Weights (int8, a step per output channel) and biases (int32, step = input step × weight step) are the float
        // values rounded: within half a step, and the bias steps are the ones int8 kernels accumulate in.
        var weightSteps = new Dictionary<string, float[]>();
        foreach (var dequantize in graph.Node.Where(node => node.OpType == "DequantizeLinear" && stored.ContainsKey(node.Input[0])))
        {
            var name = dequantize.Name[..^"_dequantize".Length];
            var values = InitializerData.Floats(original[name]);
            var steps = InitializerData.Floats(stored[dequantize.Input[1]]);
            var integers = Integers(stored[dequantize.Input[0]]);
            integers.Should().HaveCount(values.Length, name);
            var perChannel = values.Length / steps.Length;
            for (var i = 0; i < values.Length; i++)
            {
                var step = steps[i / perChannel];
                Math.Abs((integers[i] * (double)step) - values[i]).Should().BeLessThanOrEqualTo(step * HalfStep, $"{name}[{i}]");
            }

            weightSteps[name] = steps;
        }

        weightSteps.Should().HaveCount((4 * exported.Model.Config.Depth) + 2, "every layer's two convolutions and the classifier have int8 weights and int32 biases; the patch embedding stays float32");
        foreach (var node in graph.Node.Where(node => node.OpType is "Conv" or "Gemm" && Producer(graph, node.Input[1])?.OpType == "DequantizeLinear"))
        {
            var inputStep = Step(Producer(graph, node.Input[0])!.Input[1]);
            var weights = weightSteps[Producer(graph, node.Input[1])!.Name[..^"_dequantize".Length]];
            var bias = weightSteps[Producer(graph, node.Input[2])!.Name[..^"_dequantize".Length]];
            bias.Should().Equal(weights.Select(w => inputStep * w), node.Name);
        }

        // Activations: on images the calibration did not see, almost every value lies in its tensor's range. The graph
        // runs as written (no int8 kernels), with each quantized tensor as an output.
        var quantizes = graph.Node.Where(node => node.OpType == "QuantizeLinear").ToList();
        var exposed = ConvMixerOnnxFile.Read(int8);
        foreach (var q in quantizes)
        {
            exposed.Graph.Output.Add(new ValueInfoProto
            {
                Name = q.Input[0],
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(exposed.ToByteArray(), options);
        using var input = OrtValue.CreateTensorValueFromMemory(images, shape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        var tensors = quantizes.Select(q => q.Input[0]).ToArray();
        using var outputs = session.Run(runOptions, [OnnxGraphNames.Input], [input], tensors);
        for (var t = 0; t < tensors.Length; t++)
        {
            var step = Step(quantizes[t].Input[1]);
            var zero = stored[quantizes[t].Input[2]].RawData[0];
            var (low, high) = ((0 - zero) * step, (255 - zero) * step);
            var values = outputs[t].GetTensorDataAsSpan<float>().ToArray();
            var outside = values.Count(v => v < low - (step / 2) || v > high + (step / 2));
            ((double)outside / values.Length).Should().BeLessThan(1e-3, $"{tensors[t]}: [{low}, {high}] holds the values of real images (measured: at most 1.6e-5 outside)");
        }
    }

    // Float rounding on top of the half step of quantization.
    private const double HalfStep = 0.5 + 1e-6;

    // The Fashion-MNIST model exported, quantized as `convmixer quantize` does it (patch embedding float32) on the first 256
    // test images, and the next 2,000 images.
    private static (string Int8, float[] Images, int[] Shape) QuantizeOnFashionMnist(ExportedModel exported)
    {
        var data = exported.Model.Pretrained!.Data;
        var int8 = exported.File("model.int8.onnx");
        var calibration = Enumerable.Range(0, 4).Select(b => new CalibrationBatch(FashionMnist.Images(b * 64, 64, data), 64, 1, FashionMnist.Side, FashionMnist.Side));
        OnnxInt8Quantizer.Quantize(exported.Path, int8, calibration, new OnnxQuantizationOptions { KeepPatchEmbeddingFloat = true });
        const int n = 2000;
        return (int8, FashionMnist.Images(256, n, data), [n, 1, FashionMnist.Side, FashionMnist.Side]);
    }

    private static NodeProto? Producer(GraphProto graph, string tensor) => graph.Node.SingleOrDefault(node => node.Output.Contains(tensor));

    // The integers of an int8 or int32 initializer.
    private static long[] Integers(TensorProto tensor) => (TensorProto.Types.DataType)tensor.DataType switch
    {
        TensorProto.Types.DataType.Int8 => [.. tensor.RawData.Span.ToArray().Select(b => (long)(sbyte)b)],
        TensorProto.Types.DataType.Int32 => [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(tensor.RawData.Span).ToArray().Select(v => (long)v)],
        var other => throw new InvalidOperationException($"{tensor.Name} is {other}, not int8 or int32."),
    };

    // The RMS logit error that int8's rounding explains. Rounding to a step s moves a value by s/√12 (RMS); the bound
    // lets the rounding of every quantized activation reach the pooled features as it is (neither averaged away by
    // the pooling nor amplified), where the classifier's rows W_i carry it to the logits, and adds the rounding of
    // the classifier's own weights (per-channel steps s_i) on the features x: sqrt(mean‖W_i‖² · Σ s_t²/12 + mean s_i²/12 · mean‖x‖²).
    // An estimate from the model's steps, not a guarantee: measured 0.087 against 0.140 here, but a ConvMixer-48/4
    // trained the same way, whose later layers amplify the rounding, gave 0.172 against 0.171.
    private static double RoundingBound(ConvMixer model, string int8, float[] images, int[] shape)
    {
        var graph = ConvMixerOnnxFile.Read(int8).Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var producers = graph.Node.SelectMany(node => node.Output.Select(o => (Output: o, Node: node))).ToDictionary(p => p.Output, p => p.Node);
        double Step(NodeProto quantize) => InitializerData.Floats(initializers[quantize.Input[1]])[0];
        var activationRounding = graph.Node.Where(node => node.OpType == "QuantizeLinear").Sum(q => Step(q) * Step(q) / 12);
        var head = graph.Node.Single(node => node.OpType == "Gemm");
        var weightSteps = InitializerData.Floats(initializers[producers[head.Input[1]].Input[1]]);

        using var noGrad = TorchSharp.torch.no_grad();
        var weights = ((TorchSharp.Modules.Linear)model.Head).weight!;
        using var rowNorms = weights.pow(2).sum(1);
        using var input = TorchSharp.torch.tensor(images, shape.Select(d => (long)d).ToArray());
        using var features = model.ForwardFeatures(input);
        using var pooled = model.ForwardHead(features, preLogits: true);
        using var featureNorms = pooled.pow(2).sum(1);

        return Math.Sqrt((rowNorms.mean().item<float>() * activationRounding)
            + (weightSteps.Average(s => s * s / 12.0) * featureNorms.mean().item<float>()));
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
