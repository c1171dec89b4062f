using System.Text.Json;

namespace ConvMixerNet.Vision.Tests;

/// <summary>
/// The reference maps of tools/explain/make_cam_fixtures.py: timm's ConvMixer with the golden weights of cases A and C
/// on the test photos, Grad-CAM and EigenCAM computed as pytorch-grad-cam computes them.
/// </summary>
internal static class CamFixtures
{
    public static IReadOnlyList<CamCase> Cases => LazyCases.Value;

    public static string Weights(string model) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", model + ".pth");

    /// <summary>The classifier the reference ran: the golden model at the case's input side, timm's default evaluation transform.</summary>
    public static ImageClassifier Classifier(string model, int inputSize, InferencePrecision precision = InferencePrecision.Float32) =>
        ImageClassifier.FromCheckpoint(Weights(model), new ImageClassifierOptions { DataConfig = new DataConfig { InputSize = inputSize }, Precision = precision });

    private static readonly Lazy<List<CamCase>> LazyCases = new(() =>
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cam", "reference.json"));
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new CamCase(
            c.GetProperty("model").GetString()!,
            c.GetProperty("input_size").GetInt32(),
            c.GetProperty("image").GetString()!,
            c.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
            c.GetProperty("top_class").GetInt32(),
            c.GetProperty("classes").EnumerateArray().Select(k => (k.GetProperty("class").GetInt32(), Map(k.GetProperty("gradcam")))).ToArray(),
            Map(c.GetProperty("eigencam")))).ToList();
    });

    private static float[][] Map(JsonElement rows) =>
        rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
}

/// <summary>One photo through one golden model: timm's logits, the top class, Grad-CAM for two classes and EigenCAM.</summary>
internal sealed record CamCase(string Model, int InputSize, string Image, float[] Logits, int TopClass, (int Class, float[][] GradCam)[] Classes, float[][] EigenCam)
{
    public override string ToString() => $"{Model} at {InputSize}: {Image}";
}
