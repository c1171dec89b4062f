// Trains a ConvMixer on Fashion-MNIST with the library's Trainer and prints one line per epoch, for the
// benchmark in docs/training-benchmark.md. The PyTorch twin is benchmarks/pytorch/train_fashion_mnist.py.
using System.Diagnostics;
using System.Globalization;
using ConvMixerNet.Core;
using ConvMixerNet.Training;
using TorchSharp;

var tuning = CpuTuning.Apply(); // before the first tensor operation; CONVMIXER_CPU_TUNING=off measures libtorch's defaults
var settings = BenchmarkSettings.Parse(args);
torch.set_num_threads(settings.Threads);
Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, threads {torch.get_num_threads()}, CPU tuning: {tuning}, {settings}");

var load = Stopwatch.StartNew();
var train = IdxLoader.LoadSplit(settings.Data, train: true, IdxLoader.FashionMnistClasses);
var test = IdxLoader.LoadSplit(settings.Data, train: false, IdxLoader.FashionMnistClasses);
if (settings.TrainLimit is { } limit)
{
    train = train.Take(limit);
}

if (settings.TestLimit is { } testLimit)
{
    test = test.Take(testLimit);
}

Console.WriteLine($"data: train {train}, test {test}, loaded in {load.Elapsed.TotalSeconds:F1} s");

torch.random.manual_seed(settings.Seed);
using var model = new ConvMixer(settings.Dim, settings.Depth, settings.Kernel, settings.Patch, numClasses: 10, inChannels: 1);
Console.WriteLine($"model: {model.Config}, {model.ParameterCount:N0} parameters");
var options = new TrainerOptions
{
    Epochs = settings.Epochs,
    BatchSize = settings.Batch,
    LearningRate = settings.LearningRate,
    WeightDecay = settings.WeightDecay,
    LabelSmoothing = settings.LabelSmoothing,
    GradientClipNorm = settings.ClipNorm,
    Seed = settings.Seed,
    Augmentation = new Augmentation(settings.CropPadding, settings.Flip),
    Data = DatasetStatistics.FashionMnist,
    OutputDirectory = settings.Out,
};
using var trainer = new Trainer(model, options);
var lastReport = Stopwatch.StartNew();
var progress = new InlineProgress<TrainingProgress>(p =>
{
    if (p.Phase == TrainingPhase.EpochCompleted && p.CompletedEpoch is { } m)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {m.Epoch,2}: train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P2} | test loss {m.ValidationLoss:F4} acc {m.ValidationAccuracy:P2} | lr {m.LearningRate:G3} | {m.TrainSeconds:F1} s, {m.ImagesPerSecond:F0} img/s"));
    }
    else if (p.Phase == TrainingPhase.Training && lastReport.Elapsed.TotalSeconds >= settings.ReportSeconds)
    {
        lastReport.Restart();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  epoch {p.Epoch} step {p.Step}/{p.Steps}: loss {p.Loss:F4} acc {p.Accuracy:P1} lr {p.LearningRate:G3} {p.ImagesPerSecond:F0} img/s, ETA {p.Eta:hh\\:mm\\:ss}"));
    }
});

var total = Stopwatch.StartNew();
var result = trainer.Fit(train, test, progress);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"final test accuracy {result.FinalEvaluation!.Accuracy:P2} ({result.FinalEvaluation.Correct}/{result.FinalEvaluation.Count}); training time {result.History.Sum(h => h.TrainSeconds):F1} s; wall time {total.Elapsed.TotalSeconds:F1} s"));

/// <summary>Command-line settings of the benchmark (--name value pairs).</summary>
internal sealed record BenchmarkSettings(
    string Data, int Dim, int Depth, int Kernel, int Patch, int Epochs, int Batch, double LearningRate, double WeightDecay,
    double LabelSmoothing, double? ClipNorm, int CropPadding, bool Flip, long Seed, int Threads, int? TrainLimit, int? TestLimit,
    string? Out, double ReportSeconds)
{
    public static BenchmarkSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'; options look like --epochs 10.");
            }

            values[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }

        string S(string name, string fallback) => values.Remove(name, out var v) ? v : fallback;
        int I(string name, int fallback) => int.Parse(S(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        double D(string name, double fallback) => double.Parse(S(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        int? NI(string name) => values.Remove(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : null;
        double? ND(string name) => values.Remove(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : null;

        var settings = new BenchmarkSettings(
            S("data", "/usr/share/datasets/fashion-mnist"), I("dim", 256), I("depth", 8), I("kernel", 5), I("patch", 2), I("epochs", 10),
            I("batch", 128), D("lr", 0.01), D("wd", 0.01), D("smoothing", 0.0), ND("clip"), I("crop-padding", 2), S("flip", "true") == "true",
            I("seed", 0), I("threads", Environment.ProcessorCount), NI("train-limit"), NI("test-limit"), values.Remove("out", out var o) ? o : null,
            D("report-seconds", 30));
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", values.Keys.Select(k => "--" + k))}.");
        }

        return settings;
    }
}
