namespace ConvMixerNet.Server.Tests;

/// <summary>timm's golden case A (10 classes, 32×32 input) and the test photographs.</summary>
internal static class Fixtures
{
    public const int InputSize = 32;

    /// <summary>Photos in every format the decoder reads.</summary>
    public static readonly string[] Photos =
        ["cat_landscape.jpg", "rocket_portrait.jpg", "coffee.webp", "camera_gray.png", "coins_gray.jpg", "hubble_small.bmp", "coffee_two_frames.gif", "astronaut_alpha.png"];

    public static string Weights => Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", "caseA.pth");

    /// <summary>timm's input <c>[2, 3, 32, 32]</c> for the golden model.</summary>
    public static float[] GoldenInput => ReadFloats("caseA.input.bin");

    /// <summary>timm's logits <c>[2, 10]</c> for <see cref="GoldenInput"/>.</summary>
    public static float[] GoldenLogits => ReadFloats("caseA.logits.bin");

    public static string Image(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "images", name);

    /// <summary>The library's answer for a photo, what the server must give.</summary>
    public static IReadOnlyList<Prediction> Expected(string photo, int topK = 5)
    {
        using var classifier = ImageClassifier.FromCheckpoint(Weights, new ImageClassifierOptions { Overrides = new DataConfigOverrides { InputSize = InputSize } });
        return classifier.Classify(Image(photo), topK);
    }

    private static float[] ReadFloats(string name) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", name))).ToArray();
}
