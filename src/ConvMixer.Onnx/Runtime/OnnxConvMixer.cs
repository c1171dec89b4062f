using System.Globalization;
using System.Runtime.InteropServices;
using ConvMixerNet.Core;
using ConvMixerNet.Vision;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchTensor = TorchSharp.torch.Tensor;

namespace ConvMixerNet.Onnx;

/// <summary>
/// An exported ConvMixer (float32 or int8) run by ONNX Runtime on the CPU. One instance holds one
/// <c>InferenceSession</c>; <see cref="ComputeLogits(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/> may be
/// called from any number of threads at once. Inputs and outputs are handed to ONNX Runtime as views of the caller's
/// memory, without copies. A file exported with its last layer's output (<see cref="OnnxExportOptions.LastLayerOutput"/>)
/// also gives that output (<see cref="FeatureMaps"/>), from which ConvMixerNet.Vision computes EigenCAM explanations.
/// </summary>
public sealed class OnnxConvMixer : IImageClassificationModel, IFeatureMapModel
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames = [OnnxGraphNames.Input];
    private readonly string[] _outputNames;
    private readonly string _fileName;
    private readonly Lazy<PretrainedConfig?> _pretrained;
    private int _disposed;
    private int _profiling;

    private OnnxConvMixer(string path, InferenceSession session, ConvMixerConfig architecture, IReadOnlyDictionary<string, string> metadata, bool hasLastLayerOutput)
    {
        HasLastLayerOutput = hasLastLayerOutput;
        ModelPath = path;
        _fileName = System.IO.Path.GetFileName(path);
        _session = session;
        Architecture = architecture;
        Metadata = metadata;
        _outputNames = [OnnxGraphNames.OutputFor(architecture.NumClasses)];
        _pretrained = new Lazy<PretrainedConfig?>(() => ModelConfig.FromMetadata(metadata, path)?.Pretrained);
    }

    /// <summary>The file the model was loaded from.</summary>
    public string ModelPath { get; }

    /// <summary>The architecture recorded in the file's metadata.</summary>
    public ConvMixerConfig Architecture { get; }

    /// <summary>All <c>metadata_props</c> of the file (the model description and whatever the exporter's caller added).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The preprocessing and class names stored in the file's metadata (under <c>config</c>), if any.</summary>
    public PretrainedConfig? Pretrained => _pretrained.Value;

    /// <inheritdoc />
    public string Backend => IsQuantized ? "ONNX Runtime int8" : "ONNX Runtime float32";

    /// <inheritdoc />
    public TorchTensor Logits(TorchTensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[0] <= 0 || images.shape[1] != Architecture.InChannels)
        {
            throw new ArgumentException(
                $"{_fileName}: expected a batch [N, {Architecture.InChannels}, H, W], but got [{string.Join(", ", images.shape)}].", nameof(images));
        }

        // The boundary to ONNX Runtime: it reads the tensor's memory and writes the logits into a new tensor's, no copies.
        using var scope = TorchSharp.torch.NewDisposeScope();
        var input = images.to(TorchSharp.torch.ScalarType.Float32).cpu().contiguous();
        int[] shape = [.. input.shape.Select(d => (int)d)];
        var logits = TorchSharp.torch.empty([shape[0], OutputWidth], TorchSharp.torch.ScalarType.Float32);
        ComputeLogits(MemoryMarshal.Cast<byte, float>(input.bytes), shape, MemoryMarshal.Cast<byte, float>(logits.bytes));
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Whether the file has the optional <see cref="OnnxGraphNames.LastLayer"/> output.</summary>
    public bool HasLastLayerOutput { get; }

    /// <inheritdoc />
    public string? FeatureMapsUnavailableReason => HasLastLayerOutput
        ? null
        : $"{_fileName} was exported without its last layer's output, so ONNX Runtime cannot explain its predictions; export it again with that output "
            + $"(convmixer convert MODEL {_fileName} --last-layer-output, or OnnxExportOptions.LastLayerOutput).";

    /// <inheritdoc />
    public bool ComputesGradients => false;

    /// <inheritdoc />
    public unsafe FeatureMapBatch FeatureMaps(ReadOnlySpan<float> images, int count, int height, int width, IReadOnlyList<int?>? gradientClasses = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (FeatureMapsUnavailableReason is { } reason)
        {
            throw new NotSupportedException(reason);
        }

        if (gradientClasses is not null)
        {
            throw new NotSupportedException($"{_fileName}: ONNX Runtime computes no gradients, so Grad-CAM cannot run on it; use EigenCAM.");
        }

        if (Architecture.NumClasses == 0)
        {
            throw new NotSupportedException($"{_fileName} has no classifier (num_classes = 0), so there are no class logits to explain.");
        }

        var values = count * Architecture.InChannels * height * width;
        if (count <= 0 || values > images.Length)
        {
            throw new ArgumentException($"{_fileName}: a batch of {count} images of {Architecture.InChannels}x{height}x{width} needs {values} values; the buffer holds {images.Length}.", nameof(images));
        }

        int[] shape = [count, Architecture.InChannels, height, width];
        CheckShape(values, shape);
        var (rows, columns) = (height / Architecture.PatchSize, width / Architecture.PatchSize);
        var logits = new float[count * Architecture.NumClasses];
        var activations = new float[(long)count * Architecture.Dim * rows * columns];
        fixed (float* input = images)
        fixed (float* logitsOut = logits)
        fixed (float* activationsOut = activations)
        {
            using var inputValue = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, [count, shape[1], height, width], (IntPtr)input, (long)values * sizeof(float));
            using var logitsValue = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, [count, Architecture.NumClasses], (IntPtr)logitsOut, (long)logits.Length * sizeof(float));
            using var activationsValue = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, [count, Architecture.Dim, rows, columns], (IntPtr)activationsOut, activations.LongLength * sizeof(float));
            using var runOptions = new RunOptions();
            try
            {
                _session.Run(runOptions, _inputNames, [inputValue], [OnnxGraphNames.Logits, OnnxGraphNames.LastLayer], [logitsValue, activationsValue]);
            }
            catch (OnnxRuntimeException e)
            {
                throw new OnnxInferenceException($"{_fileName}: ONNX Runtime failed on a batch of shape [{string.Join(", ", shape)}]: {ConvMixerOnnxFile.FirstLine(e.Message)}", e);
            }
        }

        return new FeatureMapBatch(count, Architecture.NumClasses, Architecture.Dim, rows, columns, logits, activations);
    }

    /// <summary>Whether the file is an int8 model written by <see cref="OnnxInt8Quantizer"/>.</summary>
    public bool IsQuantized => Metadata.ContainsKey(OnnxMetadataKeys.Quantization);

    /// <summary>Values per image in the output: <c>num_classes</c>, or <c>dim</c> (pooled features) without a classifier.</summary>
    public int OutputWidth => Architecture.NumClasses > 0 ? Architecture.NumClasses : Architecture.Dim;

    /// <summary>Loads an exported ConvMixer and prepares ONNX Runtime to run it.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidOnnxModelException">The file is not ONNX, is truncated, is not a ConvMixer export, or ONNX Runtime rejects it.</exception>
    public static OnnxConvMixer Load(string path, OnnxRuntimeOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= OnnxRuntimeOptions.Default;
        options.Validate();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"There is no ONNX model at '{path}'.", path);
        }

        using var sessionOptions = CreateSessionOptions(options);
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw ConvMixerOnnxFile.LoadFailure(path, e);
        }

        try
        {
            var signature = Signature(session);
            var architecture = signature.ConvMixerArchitecture(path);
            return new OnnxConvMixer(path, session, architecture, signature.Metadata, signature.LastLayerOutput is not null)
            {
                _profiling = options.ProfilingFilePrefix is null ? 0 : 1,
            };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Classifies a preprocessed float32 batch laid out as <c>[N, C, H, W]</c> (row-major) and returns the logits <c>[N, OutputWidth]</c>.</summary>
    /// <param name="batch">The pixels, <c>N·C·H·W</c> values.</param>
    /// <param name="shape">The batch's shape: N, C (= <c>in_chans</c>), H, W; H and W at least one patch, any other size (trailing pixels are dropped as in PyTorch).</param>
    /// <exception cref="ArgumentException">The shape does not fit the model or the span's length.</exception>
    /// <exception cref="OnnxInferenceException">ONNX Runtime failed.</exception>
    public float[] ComputeLogits(ReadOnlySpan<float> batch, ReadOnlySpan<int> shape)
    {
        CheckShape(batch.Length, shape);
        var logits = new float[checked(shape[0] * OutputWidth)];
        ComputeLogits(batch, shape, logits);
        return logits;
    }

    /// <summary>Classifies a batch into <paramref name="logits"/>, which must hold exactly <c>N·OutputWidth</c> values.</summary>
    /// <param name="batch">The pixels, <c>N·C·H·W</c> values.</param>
    /// <param name="shape">The batch's shape: N, C (= <c>in_chans</c>), H, W; H and W at least one patch.</param>
    /// <param name="logits">Receives the logits, row-major <c>[N, OutputWidth]</c>.</param>
    /// <exception cref="ArgumentException">The shape does not fit the model or the spans' lengths.</exception>
    /// <exception cref="OnnxInferenceException">ONNX Runtime failed.</exception>
    public unsafe void ComputeLogits(ReadOnlySpan<float> batch, ReadOnlySpan<int> shape, Span<float> logits)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        CheckShape(batch.Length, shape);
        var expected = (long)shape[0] * OutputWidth;
        if (logits.Length != expected)
        {
            throw new ArgumentException(
                $"{_fileName}: the output span holds {logits.Length} values; a batch of {shape[0]} needs {expected} ({shape[0]} × {OutputWidth}).", nameof(logits));
        }

        long[] inputShape = [shape[0], shape[1], shape[2], shape[3]];
        long[] outputShape = [shape[0], OutputWidth];
        fixed (float* input = batch)
        fixed (float* output = logits)
        {
            // Views of the pinned spans: ONNX Runtime reads the caller's pixels and writes straight into its logits.
            using var inputValue = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, inputShape, (IntPtr)input, (long)batch.Length * sizeof(float));
            using var outputValue = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, outputShape, (IntPtr)output, (long)logits.Length * sizeof(float));
            using var runOptions = new RunOptions();
            try
            {
                _session.Run(runOptions, _inputNames, [inputValue], _outputNames, [outputValue]);
            }
            catch (OnnxRuntimeException e)
            {
                throw new OnnxInferenceException($"{_fileName}: ONNX Runtime failed on a batch of shape [{string.Join(", ", inputShape)}]: {ConvMixerOnnxFile.FirstLine(e.Message)}", e);
            }
        }
    }

    /// <summary>
    /// Stops profiling (see <see cref="OnnxRuntimeOptions.ProfilingFilePrefix"/>) and returns the JSON file ONNX Runtime
    /// wrote, or null when profiling was off or already ended. <see cref="Dispose"/> ends it too.
    /// </summary>
    public string? EndProfiling()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Interlocked.Exchange(ref _profiling, 0) == 1 ? _session.EndProfiling() : null;
    }

    /// <summary>Writes the profile if one is being recorded, then releases the session. Not to be called while another thread is running the model.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (Interlocked.Exchange(ref _profiling, 0) == 1)
            {
                _session.EndProfiling(); // ONNX Runtime writes the file only here
            }

            _session.Dispose();
        }
    }

    internal static SessionOptions CreateSessionOptions(OnnxRuntimeOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizationLevel switch
            {
                OnnxOptimizationLevel.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
                OnnxOptimizationLevel.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OnnxOptimizationLevel.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
            IntraOpNumThreads = options.IntraOpThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,

            // Problems reach the caller as exceptions; ONNX Runtime's own warnings on stderr would only be noise.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        try
        {
            if (!options.AllowSpinning)
            {
                sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            }

            if (options.OptimizedModelPath is { } optimized)
            {
                sessionOptions.OptimizedModelFilePath = optimized;
            }

            if (options.ProfilingFilePrefix is { } prefix)
            {
                // The prefix first: enabling profiling hands ONNX Runtime the prefix set at that moment.
                sessionOptions.ProfileOutputPathPrefix = prefix;
                sessionOptions.EnableProfiling = true;
            }

            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    private static GraphSignature Signature(InferenceSession session)
    {
        static GraphSignature.Value Value(KeyValuePair<string, NodeMetadata> entry) =>
            new(entry.Key, entry.Value.IsTensor && entry.Value.ElementDataType == TensorElementType.Float, entry.Value.Dimensions.Select(d => (long)d).ToList());

        return new GraphSignature(
            session.InputMetadata.Select(Value).ToList(),
            session.OutputMetadata.Select(Value).ToList(),
            new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal));
    }

    private void CheckShape(int length, ReadOnlySpan<int> shape)
    {
        var c = Architecture;
        if (shape.Length != 4)
        {
            throw new ArgumentException($"{_fileName}: expected a 4-D batch shape [N, {c.InChannels}, H, W], got {shape.Length} dimensions.", nameof(shape));
        }

        var text = $"[{string.Join(", ", shape.ToArray().Select(d => d.ToString(CultureInfo.InvariantCulture)))}]";
        if (shape[0] < 1 || shape[1] != c.InChannels || shape[2] < c.PatchSize || shape[3] < c.PatchSize)
        {
            throw new ArgumentException(
                $"{_fileName}: expected a batch [N ≥ 1, {c.InChannels}, H ≥ {c.PatchSize}, W ≥ {c.PatchSize}] (channels = in_chans, at least one {c.PatchSize}×{c.PatchSize} patch), got {text}.",
                nameof(shape));
        }

        var count = (long)shape[0] * shape[1] * shape[2] * shape[3];
        if (count != length)
        {
            throw new ArgumentException($"{_fileName}: the batch holds {length} values but shape {text} needs {count}.", nameof(shape));
        }
    }
}
