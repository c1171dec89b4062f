using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Vision;

/// <summary>
/// Classifies image files, streams or bytes with a ConvMixer: decodes, preprocesses like timm's evaluation,
/// runs the model and returns the top-k labelled classes with softmax probabilities; explains its decisions with
/// class activation maps (<see cref="Explain(string, int?, CamMethod)"/>).
/// </summary>
/// <remarks>
/// Thread-safe: any number of threads may classify and explain with one instance at once (the model is only read, in
/// eval mode; explanations differentiate a graph of their own). Every call releases the tensors it creates.
/// </remarks>
/// <example><code>
/// using var classifier = ImageClassifier.FromCheckpoint("convmixer_768_32.safetensors");
/// foreach (var p in classifier.Classify("cat.jpg", topK: 3)) Console.WriteLine(p);
/// </code></example>
public sealed class ImageClassifier : IDisposable
{
    private readonly IImageClassificationModel _model;
    private int _disposed;

    /// <summary>
    /// Wraps a model. The classifier takes ownership of it: it switches it to eval mode, moves it to the chosen
    /// device and precision, and disposes it with the classifier. Train or change it no more.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no classifier, the labels do not fit its class count, or an option makes no sense.</exception>
    /// <exception cref="NotSupportedException">float16 was asked for on the CPU, or CUDA is not available.</exception>
    public ImageClassifier(ConvMixer model, ImageClassifierOptions? options = null)
        : this(OnTorchSharp(model, options ?? new ImageClassifierOptions()), options)
    {
    }

    /// <summary>
    /// Wraps any backend (TorchSharp, or ConvMixerNet.Onnx's ONNX Runtime model) with the same preprocessing, batching
    /// and labelling. The classifier takes ownership and disposes it; <see cref="ImageClassifierOptions.Precision"/>
    /// and <see cref="ImageClassifierOptions.Device"/> are the backend's business.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no classifier, the labels do not fit its class count, or an option makes no sense.</exception>
    public ImageClassifier(IImageClassificationModel model, ImageClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new ImageClassifierOptions();
        var architecture = model.Architecture;
        if (architecture.NumClasses == 0)
        {
            throw new ArgumentException(NoClassifier, nameof(model));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.BatchSize, "options.BatchSize");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.DecodeParallelism, "options.DecodeParallelism");

        // The model's own configuration first (what it was trained or published with); explicit options override it.
        var defaults = ResolvedPreprocessing.For(architecture, model.Pretrained, Options);
        Preprocessor = new ImagePreprocessor(defaults.Data, Options.ApplyExifOrientation);
        Labels = defaults.Labels;
        AssumedDefaults = defaults.Assumption;
        if (Problems(architecture, defaults) is [var first, ..])
        {
            throw new ArgumentException(first, nameof(options));
        }

        _model = model;
    }

    private const string NoClassifier = "The model has no classifier (NumClasses = 0), so it cannot classify; give it one with ResetClassifier and train it.";

    /// <summary>
    /// Why <paramref name="model"/> and <paramref name="options"/> cannot make a classifier, as messages ready to show
    /// (the constructor throws the first as an <see cref="ArgumentException"/>); empty when they can.
    /// </summary>
    public static IReadOnlyList<string> ProblemsWith(IImageClassificationModel model, ImageClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new ImageClassifierOptions();
        if (model.Architecture.NumClasses == 0)
        {
            return [NoClassifier];
        }

        var defaults = ResolvedPreprocessing.For(model.Architecture, model.Pretrained, options);
        return [.. defaults.Data.Problems().Select(p => p.Message), .. Problems(model.Architecture, defaults)];
    }

    // What keeps the resolved preprocessing and labels from fitting the architecture.
    private static List<string> Problems(ConvMixerConfig architecture, ResolvedPreprocessing defaults)
    {
        var problems = new List<string>();
        if (defaults.Labels.Count != architecture.NumClasses)
        {
            problems.Add($"The model has {architecture.NumClasses} classes but {defaults.Labels.Count} labels were given.");
        }

        if (defaults.Data.InputSize < architecture.PatchSize)
        {
            problems.Add($"The input size {defaults.Data.InputSize} is smaller than the model's patch size {architecture.PatchSize}.");
        }

        if (defaults.Data.InChannels != architecture.InChannels)
        {
            problems.Add($"The preprocessing makes {defaults.Data.InChannels}-channel images, but the model takes {architecture.InChannels} channels.");
        }

        return problems;
    }

    /// <summary>
    /// Loads a model (any file or model folder <see cref="ConvMixer.FromCheckpoint"/> reads) and wraps it, with the
    /// preprocessing and class names stored with it unless <paramref name="options"/> says otherwise.
    /// </summary>
    /// <param name="path">
    /// The checkpoint file or model folder, or a model on a Hugging Face hub: <c>hf-hub:ORG/NAME[@REVISION]</c> or a
    /// preset's name (downloaded once into the hub's cache; see <see cref="ModelReference"/>).
    /// </param>
    /// <param name="options">Overrides of the preprocessing and labels; precision and device.</param>
    /// <param name="loadOptions">How to read the checkpoint (activation or preset, strictness).</param>
    public static ImageClassifier FromCheckpoint(string path, ImageClassifierOptions? options = null, CheckpointLoadOptions? loadOptions = null)
    {
        var model = ConvMixer.FromCheckpoint(path, loadOptions);
        try
        {
            return new ImageClassifier(model, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The settings.</summary>
    public ImageClassifierOptions Options { get; }

    /// <summary>The class names.</summary>
    public ClassLabels Labels { get; }

    /// <summary>The transform applied to every image.</summary>
    public ImagePreprocessor Preprocessor { get; }

    /// <summary>
    /// When the model stores no configuration and is not shaped like the published ImageNet models, which defaults
    /// were assumed (preprocessing, class names) and how to set them; null when nothing was assumed. Show it to the
    /// user: results with guessed preprocessing can be confidently wrong.
    /// </summary>
    public string? AssumedDefaults { get; }

    /// <summary>The model's architecture.</summary>
    public ConvMixerConfig ModelConfig => _model.Architecture;

    /// <summary>What runs the model (for example "TorchSharp Float32 on CPU" or "ONNX Runtime int8").</summary>
    public string Backend => _model.Backend;

    /// <summary>Classifies an image file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageDecodeException">The file is not a supported image, or is truncated or corrupt.</exception>
    public IReadOnlyList<Prediction> Classify(string path, int topK = 5)
    {
        CheckTopK(topK);
        var input = new float[Preprocessor.ValuesPerImage];
        Preprocessor.Normalize(Preprocessor.DecodeResized(path), input);
        return Predict(input, 1, topK)[0];
    }

    /// <summary>Classifies an encoded image read from a stream (to its end; the stream is not closed).</summary>
    public IReadOnlyList<Prediction> Classify(Stream stream, int topK = 5, string imageName = "stream") =>
        Classify(ImageDecoder.Decode(stream, imageName, Options.ApplyExifOrientation), topK);

    /// <summary>Classifies an encoded image (a whole JPEG, PNG, WebP, BMP or GIF file) held in memory.</summary>
    public IReadOnlyList<Prediction> Classify(byte[] data, int topK = 5, string imageName = "image")
    {
        ArgumentNullException.ThrowIfNull(data);
        return Classify(Preprocessor.Decode(data, imageName), topK);
    }

    /// <summary>Classifies a decoded image.</summary>
    public IReadOnlyList<Prediction> Classify(RgbImage image, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckTopK(topK);
        var input = new float[Preprocessor.ValuesPerImage];
        Preprocessor.Normalize(Preprocessor.ResizeAndCrop(image), input);
        return Predict(input, 1, topK)[0];
    }

    /// <summary>
    /// Classifies decoded images with one forward pass for all of them (a server's dynamic batch, for instance); the
    /// results come in input order. Preprocessing runs on up to <see cref="ImageClassifierOptions.DecodeParallelism"/>
    /// threads; the batch is as large as the list, so the caller bounds its size.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Prediction>> Classify(IReadOnlyList<RgbImage> images, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(images);
        CheckTopK(topK);
        if (images.Any(image => image is null))
        {
            throw new ArgumentException("The list holds a null image.", nameof(images));
        }

        if (images.Count == 0)
        {
            return [];
        }

        var size = Preprocessor.ValuesPerImage;
        var buffer = new float[(long)size * images.Count];
        Parallel.For(0, images.Count, new ParallelOptions { MaxDegreeOfParallelism = Options.DecodeParallelism }, i =>
            Preprocessor.Normalize(Preprocessor.ResizeAndCrop(images[i]), buffer.AsSpan(i * size, size)));
        return Predict(buffer, images.Count, topK);
    }

    /// <summary>
    /// Classifies many image files, <see cref="ImageClassifierOptions.BatchSize"/> at a time, lazily: results come
    /// in input order as each batch is done, so memory stays bounded however many paths there are. An image that
    /// cannot be read gets a result with <see cref="ImageClassification.Error"/> naming the reason; the others are
    /// still classified.
    /// </summary>
    public IEnumerable<ImageClassification> ClassifyMany(IEnumerable<string> paths, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(paths);
        CheckTopK(topK);
        return InBatches(paths, batch => ClassifyBatch(batch, topK));
    }

    /// <summary>
    /// Explains the model's decision on an image file with a class activation map on the last layer's patch grid.
    /// </summary>
    /// <param name="path">The image file.</param>
    /// <param name="classIndex">The class to explain; null for the most probable one.</param>
    /// <param name="method">Grad-CAM (needs gradients: TorchSharp) or EigenCAM (also ONNX Runtime).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageDecodeException">The file is not a supported image, or is truncated or corrupt.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not one of the model's classes.</exception>
    /// <exception cref="NotSupportedException">The backend cannot compute <paramref name="method"/> (Grad-CAM on ONNX
    /// Runtime, or an ONNX model exported without its last layer's output).</exception>
    public Explanation Explain(string path, int? classIndex = null, CamMethod method = CamMethod.GradCam)
    {
        var model = ExplainingModel(classIndex, method);
        return Explain(model, [Preprocessor.DecodeResized(path)], classIndex, method)[0];
    }

    /// <summary>Explains an encoded image read from a stream (to its end; the stream is not closed).</summary>
    public Explanation Explain(Stream stream, int? classIndex = null, CamMethod method = CamMethod.GradCam, string imageName = "stream")
    {
        ExplainingModel(classIndex, method);
        return Explain(ImageDecoder.Decode(stream, imageName, Options.ApplyExifOrientation), classIndex, method);
    }

    /// <summary>Explains an encoded image (a whole JPEG, PNG, WebP, BMP or GIF file) held in memory.</summary>
    public Explanation Explain(byte[] data, int? classIndex = null, CamMethod method = CamMethod.GradCam, string imageName = "image")
    {
        ArgumentNullException.ThrowIfNull(data);
        ExplainingModel(classIndex, method);
        return Explain(Preprocessor.Decode(data, imageName), classIndex, method);
    }

    /// <summary>Explains a decoded image.</summary>
    public Explanation Explain(RgbImage image, int? classIndex = null, CamMethod method = CamMethod.GradCam)
    {
        ArgumentNullException.ThrowIfNull(image);
        var model = ExplainingModel(classIndex, method);
        return Explain(model, [Preprocessor.ResizeAndCrop(image)], classIndex, method)[0];
    }

    /// <summary>
    /// Explains decoded images with one forward pass for all of them; the results come in input order. The batch is
    /// as large as the list, so the caller bounds its size.
    /// </summary>
    /// <param name="images">The images.</param>
    /// <param name="classIndex">The class to explain in every image; null for each image's most probable one.</param>
    /// <param name="method">Grad-CAM or EigenCAM.</param>
    public IReadOnlyList<Explanation> Explain(IReadOnlyList<RgbImage> images, int? classIndex = null, CamMethod method = CamMethod.GradCam)
    {
        ArgumentNullException.ThrowIfNull(images);
        var model = ExplainingModel(classIndex, method);
        if (images.Any(image => image is null))
        {
            throw new ArgumentException("The list holds a null image.", nameof(images));
        }

        return images.Count == 0 ? [] : Explain(model, Views(images), classIndex, method);
    }

    /// <summary>
    /// Explains many image files, <see cref="ImageClassifierOptions.BatchSize"/> at a time, lazily and in input order,
    /// like <see cref="ClassifyMany"/>: an image that cannot be read gets a result with
    /// <see cref="ImageExplanation.Error"/> naming the reason; the others are still explained.
    /// </summary>
    public IEnumerable<ImageExplanation> ExplainMany(IEnumerable<string> paths, int? classIndex = null, CamMethod method = CamMethod.GradCam)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var model = ExplainingModel(classIndex, method);
        return InBatches(paths, batch => ExplainBatch(model, batch, classIndex, method));
    }

    /// <summary>The model's logits for a preprocessed batch <c>[N, InChannels, InputSize, InputSize]</c> (float32, CPU), as float32 on the CPU.</summary>
    public Tensor Logits(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (batch.dim() != 4)
        {
            throw new ArgumentException($"Expected a batch [N, C, H, W], but got {batch.dim()} dimensions.", nameof(batch));
        }

        using var scope = NewDisposeScope();
        return _model.Logits(batch.to(ScalarType.Float32).cpu()).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the model.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _model.Dispose();
        }
    }

    /// <summary>
    /// Images per forward pass in <see cref="ClassifyMany"/>: <see cref="ImageClassifierOptions.BatchSize"/>, fewer when
    /// the inputs are so large that a batch would exceed <see cref="MaxBatchValues"/> floats (at least one).
    /// </summary>
    internal int EffectiveBatchSize => (int)Math.Clamp(MaxBatchValues / Preprocessor.ValuesPerImage, 1, Options.BatchSize);

    // 256 MB of preprocessed floats per batch; also keeps every offset into the batch buffer within an int.
    private const long MaxBatchValues = 64L << 20;

    // Runs the paths through run, a batch of EffectiveBatchSize at a time, lazily and in order.
    private IEnumerable<T> InBatches<T>(IEnumerable<string> paths, Func<List<string>, T[]> run)
    {
        var batchSize = EffectiveBatchSize;
        var batch = new List<string>(batchSize);
        foreach (var path in paths)
        {
            batch.Add(path);
            if (batch.Count == batchSize)
            {
                foreach (var result in run(batch))
                {
                    yield return result;
                }

                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            foreach (var result in run(batch))
            {
                yield return result;
            }
        }
    }

    private ImageClassification[] ClassifyBatch(List<string> paths, int topK)
    {
        var (views, errors) = ReadViews(paths);
        var results = new ImageClassification[paths.Count];
        var good = Enumerable.Range(0, paths.Count).Where(i => views[i] is not null).ToArray();
        if (good.Length > 0)
        {
            var predictions = Predict(Normalized(good.Select(i => views[i]!).ToArray()), good.Length, topK);
            for (var k = 0; k < good.Length; k++)
            {
                results[good[k]] = new ImageClassification(paths[good[k]], predictions[k]);
            }
        }

        for (var i = 0; i < paths.Count; i++)
        {
            results[i] ??= new ImageClassification(paths[i], [], errors[i]);
        }

        return results;
    }

    private ImageExplanation[] ExplainBatch(IFeatureMapModel model, List<string> paths, int? classIndex, CamMethod method)
    {
        var (views, errors) = ReadViews(paths);
        var results = new ImageExplanation[paths.Count];
        var good = Enumerable.Range(0, paths.Count).Where(i => views[i] is not null).ToArray();
        if (good.Length > 0)
        {
            var explanations = Explain(model, good.Select(i => views[i]!).ToArray(), classIndex, method);
            for (var k = 0; k < good.Length; k++)
            {
                results[good[k]] = new ImageExplanation(paths[good[k]], explanations[k]);
            }
        }

        for (var i = 0; i < paths.Count; i++)
        {
            results[i] ??= new ImageExplanation(paths[i], null, errors[i]);
        }

        return results;
    }

    // Decodes, resizes and crops the files in parallel; an unreadable file gets the reason instead of a view. The
    // decode budget bounds the memory of the decodes in flight, whatever sizes the images declare.
    private (RgbImage?[] Views, string?[] Errors) ReadViews(List<string> paths)
    {
        var views = new RgbImage?[paths.Count];
        var errors = new string?[paths.Count];
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Options.DecodeParallelism }, i =>
        {
            try
            {
                views[i] = Preprocessor.DecodeResized(paths[i]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException)
            {
                errors[i] = Describe(e);
            }
        });
        return (views, errors);
    }

    // The resized and cropped views, normalised in parallel into one batch buffer.
    private float[] Normalized(IReadOnlyList<RgbImage> views)
    {
        var size = Preprocessor.ValuesPerImage;
        var buffer = new float[(long)size * views.Count];
        Parallel.For(0, views.Count, new ParallelOptions { MaxDegreeOfParallelism = Options.DecodeParallelism }, i =>
            Preprocessor.Normalize(views[i], buffer.AsSpan(i * size, size)));
        return buffer;
    }

    // Resizes and crops decoded images in parallel.
    private RgbImage[] Views(IReadOnlyList<RgbImage> images)
    {
        var views = new RgbImage[images.Count];
        Parallel.For(0, images.Count, new ParallelOptions { MaxDegreeOfParallelism = Options.DecodeParallelism }, i =>
            views[i] = Preprocessor.ResizeAndCrop(images[i]));
        return views;
    }

    // The backend's feature maps, once the request is known to make sense for it.
    private IFeatureMapModel ExplainingModel(int? classIndex, CamMethod method)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown CAM method.");
        }

        if (classIndex is { } k && (k < 0 || k >= Labels.Count))
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex), k, $"The class must be between 0 and {Labels.Count - 1} (the model has {Labels.Count} classes).");
        }

        if (_model is not IFeatureMapModel model)
        {
            throw new NotSupportedException($"The {Backend} backend cannot return its last layer's output, so it cannot explain predictions.");
        }

        if (model.FeatureMapsUnavailableReason is { } reason)
        {
            throw new NotSupportedException(reason);
        }

        if (method == CamMethod.GradCam && !model.ComputesGradients)
        {
            throw new NotSupportedException(
                $"Grad-CAM needs gradients, which the {Backend} backend does not compute; use EigenCAM (CamMethod.EigenCam, --method eigencam) or the model's TorchSharp weights.");
        }

        return model;
    }

    private Explanation[] Explain(IFeatureMapModel model, IReadOnlyList<RgbImage> views, int? classIndex, CamMethod method)
    {
        var count = views.Count;
        var side = Preprocessor.Config.InputSize;
        var batch = model.FeatureMaps(
            Normalized(views), count, side, side, method == CamMethod.GradCam ? Enumerable.Repeat(classIndex, count).ToArray() : null);
        var (classes, positions) = (batch.NumClasses, batch.Rows * batch.Columns);
        var size = batch.Channels * positions;
        var results = new Explanation[count];
        for (var n = 0; n < count; n++)
        {
            var logits = batch.Logits.AsSpan(n * classes, classes);
            var target = batch.GradientClasses?[n] ?? classIndex ?? ArgMax(logits);
            var activations = batch.Activations.AsSpan(n * size, size);
            var map = method == CamMethod.GradCam
                ? ClassActivationMaps.GradCam(activations, batch.Gradients.AsSpan(n * size, size), batch.Channels, positions)
                : ClassActivationMaps.EigenCam(activations, batch.Channels, positions);
            var prediction = new Prediction(target, Labels[target], Softmax(logits, target));
            results[n] = new Explanation(prediction, method, batch.Rows, batch.Columns, map, views[n]);
        }

        return results;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    // The softmax probability of one class, computed stably in float64.
    private static float Softmax(ReadOnlySpan<float> logits, int index)
    {
        var max = logits[ArgMax(logits)];
        var sum = 0.0;
        foreach (var logit in logits)
        {
            sum += Math.Exp(logit - max);
        }

        return (float)(Math.Exp(logits[index] - max) / sum);
    }

    private IReadOnlyList<Prediction>[] Predict(float[] inputs, int count, int topK)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var (channels, side) = ((long)Preprocessor.Config.InChannels, (long)Preprocessor.Config.InputSize);
        float[] probabilities;
        long[] indices;
        // One path: preprocessed pixels -> one tensor -> the backend's logits -> probabilities, with no copy in between.
        using (var scope = NewDisposeScope())
        {
            var logits = _model.Logits(tensor(inputs, [count, channels, side, side]));
            var (values, top) = logits.softmax(1).topk(topK, dim: 1);
            probabilities = values.cpu().data<float>().ToArray();
            indices = top.cpu().data<long>().ToArray();
        }

        var results = new IReadOnlyList<Prediction>[count];
        for (var n = 0; n < count; n++)
        {
            var row = new Prediction[topK];
            for (var k = 0; k < topK; k++)
            {
                var index = (int)indices[(n * topK) + k];
                row[k] = new Prediction(index, Labels[index], probabilities[(n * topK) + k]);
            }

            results[n] = row;
        }

        return results;
    }

    private void CheckTopK(int topK)
    {
        if (topK < 1 || topK > Labels.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(topK), topK, $"topK must be between 1 and the number of classes ({Labels.Count}).");
        }
    }

    private static string Describe(Exception e) => e switch
    {
        ImageDecodeException decode => decode.Reason,
        FileNotFoundException or DirectoryNotFoundException => "file not found",
        UnauthorizedAccessException => "permission denied",
        OutOfMemoryException => "not enough memory to decode it",
        _ => e.Message,
    };

    // The TorchSharp backend on the options' device and precision.
    private static TorchSharpClassificationModel OnTorchSharp(ConvMixer model, ImageClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        var device = options.Device ?? CPU;
        var dtype = options.Precision.ToScalarType(device.type);
        if (device.type == DeviceType.CUDA && !cuda.is_available())
        {
            throw new NotSupportedException("CUDA was asked for, but it is not available (no GPU, or the app references a CPU-only libtorch).");
        }

        return new TorchSharpClassificationModel(model, device, dtype);
    }
}
