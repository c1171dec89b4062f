using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ConvMixerNet.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Benchmarks;

/// <summary>
/// <c>int8-agreement &lt;fashion-mnist-folder&gt; [train-images] [epochs] [calibration-images] [model.onnx] [minmax|percentile:P] [keep-stem]</c>: trains a small ConvMixer
/// on real Fashion-MNIST images (float32, TorchSharp), exports it to ONNX, quantizes it to int8 with calibration
/// images taken from the training set, and classifies the 10,000 test images with ONNX Runtime in float32 and int8;
/// prints top-1 agreement, accuracies and the largest logit deviation as one JSON line. With a model path, the
/// float32 export is kept there, and an existing file is used instead of training again.
/// </summary>
internal static class Int8AgreementCommand
{
    private const int ImageSide = 28;

    public static int Run(string[] args)
    {
        var folder = args[0];
        var trainCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30_000;
        var epochs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        var calibrationCount = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 512;
        var keptModel = args.Length > 4 ? args[4] : null;
        var method = args.Length > 5 ? args[5] : "minmax";
        var options = new OnnxQuantizationOptions
        {
            Calibration = method.StartsWith("percentile", StringComparison.Ordinal) ? CalibrationMethod.Percentile : CalibrationMethod.MinMax,
            Percentile = method.StartsWith("percentile:", StringComparison.Ordinal) ? double.Parse(method["percentile:".Length..], CultureInfo.InvariantCulture) : 99.99,
            KeepPatchEmbeddingFloat = args.Length > 6 && args[6] == "keep-stem",
        };
        const int batchSize = 128;

        torch.manual_seed(0);
        var (trainImages, trainLabels) = FashionMnist.Load(folder, "train", trainCount);
        var (testImages, testLabels) = FashionMnist.Load(folder, "t10k");
        using var model = new ConvMixer(dim: 64, depth: 4, kernelSize: 5, patchSize: 2, numClasses: 10, inChannels: 1);
        using var optimizer = optim.AdamW(model.parameters(), lr: 2e-3, weight_decay: 0.01);
        var stopwatch = Stopwatch.StartNew();
        model.train();
        var reuse = keptModel is not null && File.Exists(keptModel);
        for (var epoch = 0; epoch < (reuse ? 0 : epochs); epoch++)
        {
            using var order = torch.randperm(trainCount);
            for (var start = 0; start + batchSize <= trainCount; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var index = order.narrow(0, start, batchSize);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(trainImages.index_select(0, index)), trainLabels.index_select(0, index));
                loss.backward();
                optimizer.step();
            }
        }

        var trainSeconds = stopwatch.Elapsed.TotalSeconds;
        model.eval();

        var directory = Path.Combine(Path.GetTempPath(), "convmixer-int8-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var fp32Path = Path.Combine(directory, "fashion.onnx");
            var int8Path = Path.Combine(directory, "fashion.int8.onnx");
            if (reuse)
            {
                File.Copy(keptModel!, fp32Path);
            }
            else
            {
                ConvMixerOnnxExporter.Export(model, fp32Path);
                if (keptModel is not null)
                {
                    File.Copy(fp32Path, keptModel);
                }
            }

            // Calibration: the last training images (the model saw them in training, as a deployment's sample would be).
            var pixels = trainImages.narrow(0, trainCount - calibrationCount, calibrationCount).contiguous().data<float>().ToArray();
            var calibration = Enumerable.Range(0, (calibrationCount + 63) / 64).Select(b =>
            {
                var n = Math.Min(64, calibrationCount - (b * 64));
                return new CalibrationBatch(pixels.AsMemory(b * 64 * ImageSide * ImageSide, n * ImageSide * ImageSide), n, 1, ImageSide, ImageSide);
            });
            stopwatch.Restart();
            OnnxInt8Quantizer.Quantize(fp32Path, int8Path, calibration, options);
            var quantizeSeconds = stopwatch.Elapsed.TotalSeconds;

            var test = testImages.contiguous().data<float>().ToArray();
            var labels = testLabels.data<long>().ToArray();
            using var fp32 = OnnxConvMixer.Load(fp32Path);
            using var int8 = OnnxConvMixer.Load(int8Path);
            var (logits32, seconds32) = Classify(fp32, test);
            var (logits8, seconds8) = Classify(int8, test);
            float[] reference;
            using (torch.inference_mode())
            {
                using var output = model.forward(testImages);
                reference = output.data<float>().ToArray();
            }

            var top32 = ArgMax(logits32);
            var top8 = ArgMax(logits8);
            var topTorch = ArgMax(reference);
            double Fraction(IReadOnlyList<long> a, IReadOnlyList<long> b) => a.Zip(b).Count(p => p.First == p.Second) / (double)a.Count;
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                model = model.Config.ToString(),
                train_images = trainCount,
                epochs,
                train_seconds = trainSeconds,
                calibration_images = calibrationCount,
                calibration = method,
                patch_embedding_float = options.KeepPatchEmbeddingFloat,
                quantize_seconds = quantizeSeconds,
                test_images = labels.Length,
                classify_seconds_onnx_fp32 = seconds32,
                classify_seconds_onnx_int8 = seconds8,
                reused_model = reuse,
                accuracy_torchsharp_fp32 = reuse ? null : (double?)Fraction(topTorch, labels),
                accuracy_onnx_fp32 = Fraction(top32, labels),
                accuracy_onnx_int8 = Fraction(top8, labels),
                top1_agreement_onnx_fp32_vs_torchsharp = reuse ? null : (double?)Fraction(top32, topTorch),
                top1_agreement_int8_vs_fp32 = Fraction(top8, top32),
                max_abs_logit_deviation_int8 = logits32.Zip(logits8).Max(p => Math.Abs(p.First - p.Second)),
                max_abs_logit_fp32 = logits32.Max(Math.Abs),
            }));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            trainImages.Dispose();
            trainLabels.Dispose();
            testImages.Dispose();
            testLabels.Dispose();
        }

        return 0;
    }

    private static (float[] Logits, double Seconds) Classify(OnnxConvMixer model, float[] images)
    {
        const int batch = 500;
        var perImage = ImageSide * ImageSide;
        var count = images.Length / perImage;
        var logits = new float[count * model.OutputWidth];
        var stopwatch = Stopwatch.StartNew();
        for (var start = 0; start < count; start += batch)
        {
            var n = Math.Min(batch, count - start);
            model.ComputeLogits(
                images.AsSpan(start * perImage, n * perImage), [n, 1, ImageSide, ImageSide], logits.AsSpan(start * model.OutputWidth, n * model.OutputWidth));
        }

        return (logits, stopwatch.Elapsed.TotalSeconds);
    }

    private static long[] ArgMax(float[] logits) =>
        Enumerable.Range(0, logits.Length / 10).Select(i => (long)Enumerable.Range(0, 10).MaxBy(j => logits[(i * 10) + j])).ToArray();
}
