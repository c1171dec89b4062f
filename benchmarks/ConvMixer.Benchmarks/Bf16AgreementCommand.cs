using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Benchmarks;

/// <summary>
/// <c>bf16-agreement &lt;fashion-mnist-folder&gt; [train-images] [epochs] [test-images]</c>: trains a small ConvMixer on real
/// Fashion-MNIST images in float32, then classifies the 10,000 test images with it in float32 and, converted with
/// <c>model.to(ScalarType.BFloat16)</c>, in bfloat16; prints top-1 agreement, both accuracies and the largest
/// logit deviation as one JSON line.
/// </summary>
internal static class Bf16AgreementCommand
{
    public static int Run(string[] args)
    {
        var folder = args[0];
        var trainCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30_000;
        var epochs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        var testCount = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10_000;
        const int batchSize = 128;

        torch.manual_seed(0);
        var (trainImages, trainLabels) = FashionMnist.Load(folder, "train", trainCount);
        var (testImages, testLabels) = FashionMnist.Load(folder, "t10k", testCount);
        using var model = new ConvMixer(dim: 64, depth: 4, kernelSize: 5, patchSize: 2, numClasses: 10, inChannels: 1);
        using var optimizer = optim.AdamW(model.parameters(), lr: 2e-3, weight_decay: 0.01);

        var stopwatch = Stopwatch.StartNew();
        model.train();
        for (var epoch = 0; epoch < epochs; epoch++)
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
        stopwatch.Restart();
        using var logits32 = Classify(model, testImages);
        var fp32Seconds = stopwatch.Elapsed.TotalSeconds;
        using var bf16Model = new ConvMixer(model.Config);
        bf16Model.load_state_dict(model.state_dict());
        bf16Model.eval();
        bf16Model.to(ScalarType.BFloat16);
        using var testImages16 = testImages.to(ScalarType.BFloat16);
        stopwatch.Restart();
        using var logits16 = Classify(bf16Model, testImages16).to(ScalarType.Float32);
        var bf16Seconds = stopwatch.Elapsed.TotalSeconds;

        using var top32 = logits32.argmax(1);
        using var top16 = logits16.argmax(1);
        var count = testLabels.shape[0];
        double Fraction(Tensor a, Tensor b)
        {
            using var equal = a.eq(b);
            using var sum = equal.sum();
            return sum.ToInt64() / (double)count;
        }

        using var deviation = (logits32 - logits16).abs_();
        using var maxDeviation = deviation.max();
        using var logitRange = logits32.abs().max();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            model = model.Config.ToString(),
            train_images = trainCount,
            epochs,
            train_seconds = trainSeconds,
            test_images = count,
            classify_seconds_fp32 = fp32Seconds,
            classify_seconds_bf16 = bf16Seconds,
            accuracy_fp32 = Fraction(top32, testLabels),
            accuracy_bf16 = Fraction(top16, testLabels),
            top1_agreement = Fraction(top32, top16),
            max_abs_logit_deviation = maxDeviation.ToSingle(),
            max_abs_logit_fp32 = logitRange.ToSingle(),
        }));
        trainImages.Dispose();
        trainLabels.Dispose();
        testImages.Dispose();
        testLabels.Dispose();
        return 0;
    }

    private static Tensor Classify(ConvMixer model, Tensor images)
    {
        using var inference = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var batches = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += 500)
        {
            batches.Add(model.forward(images.narrow(0, start, Math.Min(500, images.shape[0] - start))));
        }

        return torch.cat(batches, 0).MoveToOuterDisposeScope();
    }
}
