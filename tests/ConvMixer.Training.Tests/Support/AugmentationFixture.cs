using System.Text.Json;

namespace ConvMixerNet.Training.Tests;

/// <summary>Fixtures/augmentation.json, made by tools/training/make_augmentation_fixtures.py with torchvision and timm.</summary>
internal static class AugmentationFixture
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "augmentation.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static RgbImage Source => Image(Root.GetProperty("source"));

    public static (byte R, byte G, byte B) Fill
    {
        get
        {
            var fill = Root.GetProperty("fill").EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray();
            return (fill[0], fill[1], fill[2]);
        }
    }

    public static RgbImage Image(JsonElement element) => new(
        element.GetProperty("width").GetInt32(), element.GetProperty("height").GetInt32(), Convert.FromBase64String(element.GetProperty("rgb").GetString()!));

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    /// <summary>The largest difference between two images' bytes, and how many bytes differ.</summary>
    public static (int MaxDifference, int Differing) Compare(RgbImage actual, RgbImage expected)
    {
        if (actual.Width != expected.Width || actual.Height != expected.Height)
        {
            return (int.MaxValue, int.MaxValue);
        }

        var a = actual.Pixels;
        var e = expected.Pixels;
        var (max, differing) = (0, 0);
        for (var i = 0; i < a.Length; i++)
        {
            var d = Math.Abs(a[i] - e[i]);
            max = Math.Max(max, d);
            differing += d > 0 ? 1 : 0;
        }

        return (max, differing);
    }
}
