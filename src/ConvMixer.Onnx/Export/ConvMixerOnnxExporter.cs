using ConvMixerNet.Core;
using ConvMixerNet.Onnx.Protobuf;
using Google.Protobuf;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvMixerNet.Onnx;

/// <summary>
/// Exports a <see cref="ConvMixer"/> (any width, depth, kernel, patch, activation and residual placement) to an ONNX
/// model for inference: BatchNorm uses the running statistics, as in <c>eval()</c>.
/// </summary>
/// <remarks>
/// The graph has one input <c>input [batch, in_chans, height, width]</c> (all three sizes dynamic) and one output
/// <c>logits [batch, num_classes]</c> (<c>features [batch, dim]</c> without a classifier), and on request
/// (<see cref="OnnxExportOptions.LastLayerOutput"/>) a second one, <c>last_layer [batch, dim, rows, columns]</c>. Sides that are not a multiple
/// of the patch lose their trailing pixels, as in PyTorch; the depthwise convolutions pad as PyTorch's 'same'
/// ((k−1)/2 before, the rest after, so even kernels pad one more after). Initializers carry timm's state-dict names.
/// </remarks>
public static class ConvMixerOnnxExporter
{
    /// <summary>The ONNX opset of <see cref="OnnxGeluForm.ErfPattern"/> exports (the newest that ONNX 1.12 checks).</summary>
    public const int DefaultOpset = 17;

    /// <summary>The producer name written into every exported file.</summary>
    public const string ProducerName = "ConvMixerNet.Onnx";

    // The model's description (architecture, preprocessing, class names) is the document every container stores, so the file alone classifies right.
    private static Dictionary<string, string> WithModelConfig(ConvMixer model, IReadOnlyDictionary<string, string>? metadata)
    {
        CheckMetadata(metadata);
        var merged = new Dictionary<string, string>(StringComparer.Ordinal) { [OnnxMetadataKeys.Config] = ModelConfig.Of(model).ToJson() };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>Writes the model to <paramref name="path"/> (atomically: a reader never sees a partial file).</summary>
    /// <param name="model">The model; it may live on any device and in any floating-point type (exported as float32).</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="metadata">Extra <c>metadata_props</c> (for example serialized preprocessing or class names); must not use <see cref="OnnxMetadataKeys.Reserved"/> keys.</param>
    /// <param name="options">Export choices; <see cref="OnnxExportOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException">A metadata key is reserved or empty.</exception>
    public static void Export(ConvMixer model, string path, IReadOnlyDictionary<string, string>? metadata = null, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ExportToBytes(model, metadata, options);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Writes the model to <paramref name="destination"/>.</summary>
    /// <param name="model">The model; it may live on any device and in any floating-point type (exported as float32).</param>
    /// <param name="metadata">Extra <c>metadata_props</c>; must not use <see cref="OnnxMetadataKeys.Reserved"/> keys.</param>
    /// <param name="options">Export choices; <see cref="OnnxExportOptions.Default"/> when null.</param>
    /// <param name="destination">A writable stream; it is not closed.</param>
    public static void Export(ConvMixer model, Stream destination, IReadOnlyDictionary<string, string>? metadata = null, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        BuildModel(model, metadata, options).WriteTo(destination);
    }

    /// <summary>The serialized ONNX model.</summary>
    /// <param name="model">The model; it may live on any device and in any floating-point type (exported as float32).</param>
    /// <param name="metadata">Extra <c>metadata_props</c>; must not use <see cref="OnnxMetadataKeys.Reserved"/> keys.</param>
    /// <param name="options">Export choices; <see cref="OnnxExportOptions.Default"/> when null.</param>
    public static byte[] ExportToBytes(ConvMixer model, IReadOnlyDictionary<string, string>? metadata = null, OnnxExportOptions? options = null) =>
        BuildModel(model, metadata, options).ToByteArray();

    internal static ModelProto BuildModel(ConvMixer model, IReadOnlyDictionary<string, string>? metadata, OnnxExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        var allMetadata = WithModelConfig(model, metadata);
        options ??= OnnxExportOptions.Default;
        var config = model.Config;
        var gelu20 = options.GeluForm == OnnxGeluForm.Gelu20 && config.Activation == Activation.Gelu;

        var graph = new GraphProto { Name = options.GraphName };
        var builder = new OnnxGraphBuilder(graph);
        graph.Input.Add(OnnxGraphBuilder.FloatTensor(OnnxGraphNames.Input, "batch", (long)config.InChannels, "height", "width"));
        builder.Unique(OnnxGraphNames.Input);
        builder.Unique(OnnxGraphNames.Logits);
        builder.Unique(OnnxGraphNames.Features);
        builder.Unique(OnnxGraphNames.LastLayer);

        var writer = new LayerWriter(builder, config.Activation, gelu20);
        var x = writer.Conv("stem.0", OnnxGraphNames.Input, model.PatchEmbedding, config.PatchSize, config.PatchSize, padBefore: 0, padAfter: 0, groups: 1);
        x = writer.Activation("stem.1", x);
        x = writer.BatchNorm("stem.2", x, (BatchNorm)model.Stem[2]);

        for (var i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            var prefix = $"blocks.{i}";
            var k = config.KernelSize;
            var input = x;
            var y = writer.Conv($"{prefix}.0.fn.0", input, layer.DepthwiseConv, k, stride: 1, padBefore: (k - 1) / 2, padAfter: k - 1 - ((k - 1) / 2), groups: config.Dim);
            y = writer.Activation($"{prefix}.0.fn.1", y);
            y = writer.BatchNorm($"{prefix}.0.fn.2", y, layer.DepthwiseNorm);
            if (config.ResidualPlacement == ResidualPlacement.AroundSpatialMixing)
            {
                y = builder.Node("Add", $"{prefix}.0.add", [input, y]);
            }

            y = writer.Conv($"{prefix}.1", y, layer.PointwiseConv, 1, stride: 1, padBefore: 0, padAfter: 0, groups: 1);
            y = writer.Activation($"{prefix}.2", y);
            y = writer.BatchNorm($"{prefix}.3", y, layer.PointwiseNorm);
            if (config.ResidualPlacement == ResidualPlacement.AroundLayer)
            {
                y = builder.Node("Add", $"{prefix}.add", [input, y]);
            }

            x = y;
        }

        var outputName = OnnxGraphNames.OutputFor(config.NumClasses);
        var pooled = builder.Node("GlobalAveragePool", "pooling", [x]);
        var flat = builder.Node("Flatten", "flatten", [pooled], config.NumClasses > 0 ? null : outputName, [OnnxGraphBuilder.Int("axis", 1)]);
        if (config.NumClasses > 0)
        {
            var head = (Linear)model.Head;
            var weight = builder.Initializer("head.weight", Floats(head.weight!), config.NumClasses, config.Dim);
            var bias = builder.Initializer("head.bias", Floats(head.bias!), config.NumClasses);
            builder.Node("Gemm", "head", [flat, weight, bias], outputName, [OnnxGraphBuilder.Int("transB", 1)]);
        }

        graph.Output.Add(OnnxGraphBuilder.FloatTensor(outputName, "batch", (long)(config.NumClasses > 0 ? config.NumClasses : config.Dim)));
        if (options.LastLayerOutput)
        {
            builder.Node("Identity", OnnxGraphNames.LastLayer, [x], OnnxGraphNames.LastLayer);
            graph.Output.Add(OnnxGraphBuilder.FloatTensor(OnnxGraphNames.LastLayer, "batch", (long)config.Dim, "rows", "columns"));
        }

        var onnx = new ModelProto
        {
            IrVersion = gelu20 ? 9 : 8,
            ProducerName = ProducerName,
            ProducerVersion = typeof(ConvMixerOnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "",
            DocString = config.ToString(),
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = gelu20 ? 20 : DefaultOpset });
        foreach (var (key, value) in allMetadata)
        {
            onnx.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return onnx;
    }

    internal static float[] Floats(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return tensor.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
    }

    private static void CheckMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var key in metadata.Keys)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new ArgumentException("Metadata keys must not be empty.", nameof(metadata));
            }

            if (OnnxMetadataKeys.Reserved.Contains(key))
            {
                throw new ArgumentException(
                    $"The metadata key '{key}' is written by the exporter itself (reserved: {string.Join(", ", OnnxMetadataKeys.Reserved)}); choose another key.",
                    nameof(metadata));
            }
        }
    }

    /// <summary>Writes the repeated pieces (convolution, activation, BatchNorm) with initializers named as timm's state dict.</summary>
    private sealed class LayerWriter(OnnxGraphBuilder builder, Activation activation, bool gelu20)
    {
        public string Conv(string key, string input, Conv2d conv, int kernel, int stride, int padBefore, int padAfter, int groups)
        {
            var weight = conv.weight!;
            var weightName = builder.Initializer($"{key}.weight", Floats(weight), weight.shape);
            var biasName = builder.Initializer($"{key}.bias", Floats(conv.bias!), conv.bias!.shape);
            return builder.Node("Conv", key, [input, weightName, biasName], attributes:
            [
                OnnxGraphBuilder.Ints("kernel_shape", kernel, kernel),
                OnnxGraphBuilder.Ints("strides", stride, stride),
                OnnxGraphBuilder.Ints("pads", padBefore, padBefore, padAfter, padAfter), // [top, left, bottom, right]
                OnnxGraphBuilder.Ints("dilations", 1, 1),
                OnnxGraphBuilder.Int("group", groups),
            ]);
        }

        public string Activation(string key, string input)
        {
            if (activation == Core.Activation.Relu)
            {
                return builder.Node("Relu", key, [input]);
            }

            if (gelu20)
            {
                return builder.Node("Gelu", key, [input]);
            }

            // Exact GELU as PyTorch exports it; ONNX Runtime's GeluFusion recognises this sequence.
            var sqrt2 = builder.Initializer($"{key}.sqrt2", [MathF.Sqrt(2f)]);
            var one = builder.Initializer($"{key}.one", [1f]);
            var half = builder.Initializer($"{key}.half", [0.5f]);
            var scaled = builder.Node("Div", $"{key}.div", [input, sqrt2]);
            var erf = builder.Node("Erf", $"{key}.erf", [scaled]);
            var shifted = builder.Node("Add", $"{key}.add", [erf, one]);
            var product = builder.Node("Mul", $"{key}.mul", [input, shifted]);
            return builder.Node("Mul", $"{key}.mul_half", [product, half]);
        }

        public string BatchNorm(string key, string input, BatchNorm norm)
        {
            var scale = builder.Initializer($"{key}.weight", Floats(norm.weight!), norm.weight!.shape);
            var bias = builder.Initializer($"{key}.bias", Floats(norm.bias!), norm.bias!.shape);
            var mean = builder.Initializer($"{key}.running_mean", Floats(norm.running_mean!), norm.running_mean!.shape);
            var variance = builder.Initializer($"{key}.running_var", Floats(norm.running_var!), norm.running_var!.shape);
            return builder.Node("BatchNormalization", key, [input, scale, bias, mean, variance], attributes:
                [OnnxGraphBuilder.Float("epsilon", (float)norm.eps)]);
        }
    }
}
