using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary><c>convmixer explain</c>: the maps of its JSON against pytorch-grad-cam's, the overlays, the table and bad input.</summary>
public sealed class ExplainCommandTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    [Theory]
    [InlineData("gradcam", false)]
    [InlineData("gradcam", true)]
    [InlineData("eigencam", false)]
    public void Json_maps_equal_the_pytorch_reference(string method, bool otherClass)
    {
        // timm's golden case A at 32×32 (the tool's --input-size 32), maps from tools/explain/make_cam_fixtures.py.
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cam", "reference.json")));
        var cases = reference.RootElement.GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("model").GetString() == "caseA" && c.GetProperty("input_size").GetInt32() == 32).ToList();
        // One class for all photos: the one most of them explain besides the top class.
        var other = cases.Select(c => c.GetProperty("classes")[1].GetProperty("class").GetInt32()).GroupBy(k => k).MaxBy(g => g.Count())!.Key;
        var chosen = otherClass ? cases.Where(c => c.GetProperty("classes")[1].GetProperty("class").GetInt32() == other).ToList() : cases;
        string[] args = ["explain", "-w", Fixtures.Weights, "--input-size", "32", "--json", "--method", method, .. otherClass ? ["--class", $"{other}"] : Array.Empty<string>()];

        var result = ConvMixerTool.Run([.. args, .. chosen.Select(c => Fixtures.Image(c.GetProperty("image").GetString()!))]);

        result.ExitCode.Should().Be(0, result.ToString());
        using var output = JsonDocument.Parse(result.Output);
        var entries = output.RootElement.EnumerateArray().ToList();
        entries.Should().HaveCount(chosen.Count);
        for (var i = 0; i < chosen.Count; i++)
        {
            var entry = entries[i];
            var expectedClass = otherClass ? other : chosen[i].GetProperty("top_class").GetInt32();
            var expected = method == "eigencam"
                ? chosen[i].GetProperty("eigencam")
                : chosen[i].GetProperty("classes").EnumerateArray().Single(k => k.GetProperty("class").GetInt32() == expectedClass).GetProperty("gradcam");
            Path.GetFileName(entry.GetProperty("image").GetString()).Should().Be(chosen[i].GetProperty("image").GetString());
            entry.GetProperty("class").GetInt32().Should().Be(expectedClass);
            entry.GetProperty("label").GetString().Should().Be($"class {expectedClass}");
            entry.GetProperty("method").GetString().Should().Be(method);
            entry.GetProperty("probability").GetSingle().Should().BeApproximately(Softmax(chosen[i].GetProperty("logits"), expectedClass), 1e-5f);
            var rows = entry.GetProperty("map").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
            var want = expected.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
            rows.Should().HaveCount(8).And.OnlyContain(r => r.Length == 8);
            rows.SelectMany(r => r).Zip(want.SelectMany(r => r)).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThanOrEqualTo(1e-4f, chosen[i].ToString());
        }
    }

    [Fact]
    public void Out_writes_each_overlay_at_the_input_size_and_the_table_names_class_and_peak()
    {
        var folder = _temp.File("overlays");
        var photos = new[] { "cat_landscape.jpg", "coffee.webp" };

        var result = ConvMixerTool.Run(["explain", "-w", Fixtures.Weights, "--input-size", "32", "--out", folder, .. photos.Select(Fixtures.Image)]);

        result.ExitCode.Should().Be(0, result.ToString());
        Directory.GetFiles(folder).Select(Path.GetFileName).Should().BeEquivalentTo("cat_landscape.jpg.cam.png", "coffee.webp.cam.png");
        result.Output.Should().Contain("2 overlays written to");
        using var classifier = Fixtures.Classifier();
        foreach (var photo in photos)
        {
            var explanation = classifier.Explain(Fixtures.Image(photo));
            var written = ImageDecoder.Decode(Path.Combine(folder, photo + ".cam.png"));
            (written.Width, written.Height).Should().Be((32, 32));
            written.Pixels.ToArray().Should().Equal(ExplanationOverlay.Render(explanation).Pixels.ToArray(), photo);
            var peak = Enumerable.Range(0, 64).MaxBy(i => explanation.Map[i]);
            result.Output.Split('\n').Should().Contain(
                l => l.Contains(explanation.Label) && l.Contains(explanation.Probability.ToString("P2", System.Globalization.CultureInfo.InvariantCulture))
                    && l.Contains($"{peak / 8}, {peak % 8} of 8x8"),
                result.Output);
        }
    }

    [Fact]
    public void Bad_input_is_reported_as_predict_reports_it()
    {
        var folder = _temp.File("images");
        Directory.CreateDirectory(folder);
        File.Copy(Fixtures.Image("coffee.webp"), Path.Combine(folder, "coffee.webp"));
        File.WriteAllBytes(Path.Combine(folder, "broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var outFolder = _temp.File("out");

        var partial = ConvMixerTool.Run("explain", "-w", Fixtures.Weights, "--input-size", "32", "--json", "--out", outFolder, folder);

        partial.ExitCode.Should().Be(3, partial.ToString());
        partial.Error.Should().Contain("broken.png").And.Contain("1 of 2 images could not be explained").And.NotContain("   at ");
        using (var json = JsonDocument.Parse(partial.Output))
        {
            var entries = json.RootElement.EnumerateArray().ToList();
            entries.Select(e => Path.GetFileName(e.GetProperty("image").GetString())).Should().Equal("broken.png", "coffee.webp");
            entries[0].GetProperty("error").GetString().Should().NotBeNullOrEmpty();
            entries[0].GetProperty("map").ValueKind.Should().Be(JsonValueKind.Null);
            entries[1].GetProperty("error").ValueKind.Should().Be(JsonValueKind.Null);
        }

        Directory.GetFiles(outFolder).Select(Path.GetFileName).Should().Equal("coffee.webp.cam.png");

        var photo = Fixtures.Image("coffee.webp");
        var aFile = Path.Combine(folder, "coffee.webp");
        var empty = Directory.CreateDirectory(_temp.File("empty")).FullName;
        var cases = new (string[] Args, int Exit, string Message)[]
        {
            (["explain", "-w", "missing.safetensors", photo], 1, "missing.safetensors"),
            (["explain", "-w", Fixtures.Weights, "--input-size", "32", "--class", "10", photo], 2, "--class must be between 0 and 9 (the model has 10 classes), not 10."),
            (["explain", "-w", Fixtures.Weights, "--input-size", "32", "--class", "-1", photo], 2, "--class must be between 0 and 9"),
            (["explain", "-w", Fixtures.Weights, "--method", "scorecam", photo], 2, "Unknown method 'scorecam'. Known: gradcam, eigencam."),
            (["explain", "-w", Fixtures.Weights, "--out", aFile, photo], 2, "--out must be a folder"),
            (["explain", "-w", Fixtures.Weights, "--out", _temp.File("clash"), photo, aFile], 2, "would both be written to"),
            (["explain", "-w", Fixtures.Weights, empty], 2, "no images found"),
            (["explain", "-w", Fixtures.Weights, "--input-size", "0", photo], 2, "--input-size"),
            (["explain", photo], 2, "--weights"),
        };

        foreach (var (args, exit, message) in cases)
        {
            var result = ConvMixerTool.Run(args);

            result.ExitCode.Should().Be(exit, result.ToString());
            result.Error.Should().Contain(message, result.ToString());
            result.Error.Should().NotContain("   at ", "user errors get a message, not a stack trace");
        }

        Directory.Exists(_temp.File("clash")).Should().BeFalse("nothing is written when the command line is refused");
        ConvMixerTool.Run("--help").Output.Should().Contain("explain");
    }

    [Fact]
    public void EigenCam_runs_on_an_onnx_export_with_its_last_layer_and_GradCam_is_refused_with_the_way_out()
    {
        var withLayer = _temp.File("with-layer.onnx");
        var plain = _temp.File("plain.onnx");
        var photo = Fixtures.Image("hubble_small.bmp");
        var converted = ConvMixerTool.Run("convert", Fixtures.Weights, withLayer, "--last-layer-output");
        ConvMixerTool.Run("convert", Fixtures.Weights, plain).ExitCode.Should().Be(0);
        converted.ExitCode.Should().Be(0, converted.ToString());
        converted.Output.Should().Contain("with the last layer's output");

        var onRuntime = ConvMixerTool.Run("explain", "-w", withLayer, "--input-size", "32", "--json", "--method", "eigencam", photo);
        var onTorch = ConvMixerTool.Run("explain", "-w", Fixtures.Weights, "--input-size", "32", "--json", "--method", "eigencam", photo);
        var gradCam = ConvMixerTool.Run("explain", "-w", withLayer, "--input-size", "32", photo);
        var without = ConvMixerTool.Run("explain", "-w", plain, "--input-size", "32", "--method", "eigencam", photo);
        var notOnnx = ConvMixerTool.Run("convert", Fixtures.Weights, _temp.File("x.safetensors"), "--last-layer-output");

        onRuntime.ExitCode.Should().Be(0, onRuntime.ToString());
        float[] Map(ConvMixerTool.Result result) => JsonDocument.Parse(result.Output).RootElement[0].GetProperty("map").EnumerateArray()
            .SelectMany(r => r.EnumerateArray().Select(v => v.GetSingle())).ToArray();
        Map(onRuntime).Zip(Map(onTorch)).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-4f);
        gradCam.ExitCode.Should().Be(1, gradCam.ToString());
        gradCam.Error.Should().Contain("Grad-CAM needs gradients").And.Contain("--method eigencam").And.NotContain("   at ");
        without.ExitCode.Should().Be(1, without.ToString());
        without.Error.Should().Contain("plain.onnx was exported without its last layer's output").And.Contain("--last-layer-output");
        notOnnx.ExitCode.Should().Be(2, notOnnx.ToString());
        notOnnx.Error.Should().Contain("--last-layer-output applies to an .onnx output");
    }

    public void Dispose() => _temp.Dispose();

    private static float Softmax(JsonElement logits, int index)
    {
        var values = logits.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var max = values.Max();
        return (float)(Math.Exp(values[index] - max) / values.Sum(v => Math.Exp(v - max)));
    }
}
