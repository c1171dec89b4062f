using System.Globalization;
using ConvMixerNet.Core;
using ConvMixerNet.Onnx.Protobuf;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ConvMixerNet.Onnx;

/// <summary>
/// Static int8 quantization of an exported float32 ConvMixer, in the QDQ format ONNX Runtime fuses into its int8
/// kernels: every convolution (and the classifier) gets symmetric int8 weights with one scale per output channel
/// and an int32 bias; its input and output pass through QuantizeLinear/DequantizeLinear with per-tensor uint8 scales
/// measured on calibration batches (minimum and maximum). ONNX Runtime then runs each DequantizeLinear → Conv →
/// QuantizeLinear as one QLinearConv; GELU, BatchNorm and the residual additions stay float32 between them.
/// </summary>
public static class OnnxInt8Quantizer
{
    /// <summary>The value of the <see cref="OnnxMetadataKeys.Quantization"/> key in quantized files.</summary>
    public const string QuantizationScheme = "int8-qdq: per-channel symmetric int8 weights, per-tensor uint8 activations";

    /// <summary>Quantizes <paramref name="float32Path"/> (written by <see cref="ConvMixerOnnxExporter"/>) into <paramref name="int8Path"/>.</summary>
    /// <param name="float32Path">The float32 export.</param>
    /// <param name="int8Path">The int8 model to write (atomically).</param>
    /// <param name="calibration">Preprocessed batches like the ones the model will see (a few hundred real images are plenty); at least one.</param>
    /// <param name="options">Choices; <see cref="OnnxQuantizationOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException">No calibration batch, or one whose shape does not fit the model.</exception>
    /// <exception cref="InvalidOnnxModelException">The input file is not a float32 ConvMixer export.</exception>
    public static OnnxQuantizationResult Quantize(string float32Path, string int8Path, IEnumerable<CalibrationBatch> calibration, OnnxQuantizationOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(int8Path);
        ArgumentNullException.ThrowIfNull(calibration);
        options ??= OnnxQuantizationOptions.Default;
        var model = ConvMixerOnnxFile.Read(float32Path);
        var description = ConvMixerOnnxFile.Describe(float32Path, model);
        if (description.IsQuantized)
        {
            throw new InvalidOnnxModelException(float32Path, "this model is already quantized; quantize the float32 export instead.");
        }

        var graph = model.Graph;
        var fusedGelus = GeluPatternFuser.Fuse(graph);
        var onnxOpset = model.OpsetImport.First(o => o.Domain is "" or "ai.onnx");
        if (fusedGelus > 0 && onnxOpset.Version < GeluPatternFuser.GeluOpset)
        {
            // Every other operator of the graph means the same at opset 20 as at 17.
            onnxOpset.Version = GeluPatternFuser.GeluOpset;
            model.IrVersion = Math.Max(model.IrVersion, 9);
        }

        BatchNormDecomposer.Decompose(graph);
        if (!(options.Percentile > 50.0 && options.Percentile <= 100.0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Percentile, "Percentile must be in (50, 100].");
        }

        var plan = QuantizationPlan.For(graph, options.QuantizeClassifier, options.KeepPatchEmbeddingFloat);
        if (plan.Convolutions.Count == 0)
        {
            throw new InvalidOnnxModelException(float32Path, "the graph has no Conv node to quantize.");
        }

        var (ranges, images) = Calibrate(model, description.Architecture, plan, calibration, options, float32Path);
        var rewriter = new QdqRewriter(graph, ranges);
        rewriter.Rewrite(plan);

        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadataKeys.Quantization, Value = QuantizationScheme });
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadataKeys.QuantizationCalibrationImages, Value = images.ToString(CultureInfo.InvariantCulture) });
        model.MetadataProps.Add(new StringStringEntryProto
        {
            Key = OnnxMetadataKeys.QuantizationCalibration,
            Value = options.Calibration == CalibrationMethod.Percentile ? $"percentile {options.Percentile.ToString(CultureInfo.InvariantCulture)}" : "minmax",
        });
        model.DocString = $"{model.DocString}, int8 (static QDQ)";
        AtomicFile.WriteAllBytes(int8Path, model.ToByteArray());
        return new OnnxQuantizationResult(int8Path, plan.Convolutions.Count, plan.Classifier is not null, images, fusedGelus);
    }

    /// <summary>Runs the float32 graph with every tensor to be quantized exposed as an output, and records each one's range.</summary>
    private static (Dictionary<string, ActivationRange> Ranges, int Images) Calibrate(
        ModelProto model, ConvMixerConfig architecture, QuantizationPlan plan, IEnumerable<CalibrationBatch> calibration, OnnxQuantizationOptions options, string path)
    {
        var ranges = plan.CalibratedTensors.ToDictionary(t => t, _ => new ActivationRange(), StringComparer.Ordinal);
        var exposed = plan.CalibratedTensors.Where(t => t != OnnxGraphNames.Input).ToArray();
        var augmented = model.Clone();
        foreach (var name in exposed)
        {
            augmented.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        using var sessionOptions = OnnxConvMixer.CreateSessionOptions(new OnnxRuntimeOptions { IntraOpThreads = options.CalibrationThreads });
        InferenceSession session;
        try
        {
            session = new InferenceSession(augmented.ToByteArray(), sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw ConvMixerOnnxFile.LoadFailure(path, e);
        }

        using (session)
        {
            var images = 0;
            foreach (var batch in calibration)
            {
                ArgumentNullException.ThrowIfNull(batch, nameof(calibration));
                var shape = batch.Shape;
                if (shape[1] != architecture.InChannels || shape[2] < architecture.PatchSize || shape[3] < architecture.PatchSize)
                {
                    throw new ArgumentException(
                        $"Calibration batch [{string.Join(", ", shape)}] does not fit {Path.GetFileName(path)}: expected [N, {architecture.InChannels}, H ≥ {architecture.PatchSize}, W ≥ {architecture.PatchSize}].",
                        nameof(calibration));
                }

                var percentile = options.Calibration == CalibrationMethod.Percentile ? options.Percentile : (double?)null;
                if (ranges.TryGetValue(OnnxGraphNames.Input, out var inputRange))
                {
                    Observe(inputRange, batch.Pixels.Span, percentile);
                }

                RunAndObserve(session, batch, exposed, ranges, percentile);
                images += shape[0];
            }

            if (images == 0)
            {
                throw new ArgumentException("int8 quantization needs calibration data: give at least one batch of preprocessed images (or CalibrationBatch.Random for speed tests).", nameof(calibration));
            }

            foreach (var range in ranges.Values)
            {
                range.UsePercentiles();
            }

            return (ranges, images);
        }
    }

    private static void Observe(ActivationRange range, ReadOnlySpan<float> values, double? percentile)
    {
        range.Observe(values);
        if (percentile is { } p)
        {
            range.ObservePercentile(values, p);
        }
    }

    private static unsafe void RunAndObserve(InferenceSession session, CalibrationBatch batch, string[] outputs, Dictionary<string, ActivationRange> ranges, double? percentile)
    {
        var shape = batch.Shape.Select(d => (long)d).ToArray();
        using var pin = batch.Pixels.Pin();
        using var input = OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, (IntPtr)pin.Pointer, (long)batch.Pixels.Length * sizeof(float));
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [OnnxGraphNames.Input], [input], outputs);
        for (var i = 0; i < outputs.Length; i++)
        {
            Observe(ranges[outputs[i]], results[i].GetTensorDataAsSpan<float>(), percentile);
        }
    }
}
