using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Vision.Tests;

/// <summary>timm's golden case A (10 classes, 32×32 input): weights, input and timm's logits.</summary>
internal static class GoldenModel
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden");

    public static string CheckpointPath => Path.Combine(Directory, "caseA.pth");

    /// <summary>A data config for the model's 32×32 inputs (what `convmixer predict --input-size 32` uses).</summary>
    public static DataConfig DataConfig { get; } = new() { InputSize = 32 };

    public static ImageClassifierOptions Options(InferencePrecision precision = InferencePrecision.Float32, int batchSize = 16) =>
        new() { DataConfig = DataConfig, Precision = precision, BatchSize = batchSize };

    public static ImageClassifier Classifier(InferencePrecision precision = InferencePrecision.Float32, int batchSize = 16) =>
        ImageClassifier.FromCheckpoint(CheckpointPath, Options(precision, batchSize));

    public static Tensor Input => Read("caseA.input.bin", [2, 3, 32, 32]);

    public static Tensor Logits => Read("caseA.logits.bin", [2, 10]);

    private static Tensor Read(string name, long[] shape) =>
        torch.tensor(MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Directory, name))).ToArray(), shape);
}
