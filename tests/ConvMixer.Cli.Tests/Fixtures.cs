namespace ConvMixerNet.Cli.Tests;

/// <summary>The files the tool is run on: timm's golden case A (10 classes, 32×32 input) and the test photographs.</summary>
internal static class Fixtures
{
    public static string Weights => Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", "caseA.pth");

    public static string Image(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "images", name);

    /// <summary>The library's own classifier for the golden model at 32×32, what <c>predict --input-size 32</c> must agree with.</summary>
    public static ImageClassifier Classifier() =>
        ImageClassifier.FromCheckpoint(Weights, new ImageClassifierOptions { DataConfig = new DataConfig { InputSize = 32 } });
}
