using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ConvMixerNet.Vision.Tests;

/// <summary>
/// The reference outputs of torchvision's transforms on PIL images (tools/vision/make_preprocessing_fixtures.py),
/// read from Fixtures/preprocessing.
/// </summary>
internal static class PreprocessingFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "preprocessing");

    public static string Image(string name) => Path.Combine(Directory, "images", name);

    public static IReadOnlyList<ReferenceCase> Cases => LazyManifest.Value.Cases;

    public static IReadOnlyList<OrientationCase> Orientations => LazyManifest.Value.Orientations;

    private static readonly Lazy<(List<ReferenceCase> Cases, List<OrientationCase> Orientations)> LazyManifest = new(() =>
    {
        using var stream = File.OpenRead(Path.Combine(Directory, "manifest.json"));
        using var doc = JsonDocument.Parse(stream);
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().Select(ReferenceCase.Parse).ToList();
        var orientations = doc.RootElement.GetProperty("orientation").EnumerateArray().Select(OrientationCase.Parse).ToList();
        return (cases, orientations);
    });

    public static byte[] ReadBytes(string relativePath)
    {
        using var file = File.OpenRead(Path.Combine(Directory, relativePath));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    public static float[] ReadFloats(string relativePath) => MemoryMarshal.Cast<byte, float>(ReadBytes(relativePath)).ToArray();

    private static int[] Shape(JsonElement e) => e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();

    public sealed record ReferenceCase(string Name, string Image, DataConfig Config, bool ApplyExif, string CropPath, int[] CropShape, string? FloatPath)
    {
        public static ReferenceCase Parse(JsonElement e)
        {
            var c = e.GetProperty("config");
            float[] Triple(string name) => c.GetProperty(name).EnumerateArray().Select(x => x.GetSingle()).ToArray();

            var config = new DataConfig
            {
                InputSize = c.GetProperty("input_size").GetInt32(),
                CropFraction = c.GetProperty("crop_pct").GetDouble(),
                Interpolation = Enum.Parse<Interpolation>(c.GetProperty("interpolation").GetString()!, ignoreCase: true),
                Mean = Triple("mean"),
                Std = Triple("std"),
            };
            var crop = e.GetProperty("crop_uint8_hwc");
            var floats = e.TryGetProperty("normalised_float32_chw", out var f) ? f.GetProperty("path").GetString() : null;
            return new ReferenceCase(
                e.GetProperty("name").GetString()!, e.GetProperty("image").GetString()!, config, e.GetProperty("apply_exif").GetBoolean(),
                crop.GetProperty("path").GetString()!, Shape(crop), floats);
        }

        public override string ToString() => Name;
    }

    public sealed record OrientationCase(int Tag, string Image, string UprightPath, int[] UprightShape)
    {
        public static OrientationCase Parse(JsonElement e)
        {
            var upright = e.GetProperty("upright_uint8_hwc");
            return new OrientationCase(e.GetProperty("tag").GetInt32(), e.GetProperty("image").GetString()!, upright.GetProperty("path").GetString()!, Shape(upright));
        }

        public override string ToString() => $"orientation {Tag}";
    }
}
