using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary>The tool's ONNX path: export with the configuration, classify and evaluate on ONNX Runtime, quantize to int8.</summary>
public sealed class OnnxCommandTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_exported_onnx_file_classifies_like_the_weights_with_its_own_preprocessing_and_labels()
    {
        var labels = _dir.File("labels.txt");
        File.WriteAllLines(labels, Enumerable.Range(0, 10).Select(i => $"kind {i}"));
        var onnx = _dir.File("caseA.onnx");
        var export = ConvMixerTool.Run("convert", Fixtures.Weights, onnx, "--input-size", "32", "--labels", labels);
        export.ExitCode.Should().Be(0, export.ToString());
        export.Output.Should().Contain("with its preprocessing and class names");

        var images = new[] { "cat_landscape.jpg", "coffee.webp", "camera_gray.png" }.Select(Fixtures.Image).ToArray();
        var onOnnx = ConvMixerTool.Run(["predict", "-w", onnx, "--json", "--top", "3", .. images]);
        var onTorch = ConvMixerTool.Run(["predict", "-w", Fixtures.Weights, "--json", "--top", "3", "--input-size", "32", "--labels", labels, .. images]);
        onOnnx.ExitCode.Should().Be(0, onOnnx.ToString());
        onOnnx.Error.Should().NotContain("warning", "the ONNX file stores its configuration");

        using var a = JsonDocument.Parse(onOnnx.Output);
        using var b = JsonDocument.Parse(onTorch.Output);
        foreach (var (x, y) in a.RootElement.EnumerateArray().Zip(b.RootElement.EnumerateArray()))
        {
            var px = x.GetProperty("predictions").EnumerateArray().ToList();
            var py = y.GetProperty("predictions").EnumerateArray().ToList();
            px.Select(p => p.GetProperty("label").GetString()).Should().Equal(py.Select(p => p.GetProperty("label").GetString()));
            px.Select(p => p.GetProperty("probability").GetSingle()).Should().Equal(py.Select(p => p.GetProperty("probability").GetSingle()), (u, v) => Math.Abs(u - v) < 1e-5f);
        }
    }

    [Fact]
    public void Quantize_writes_an_int8_model_calibrated_on_a_folder_and_refuses_without_images()
    {
        var onnx = _dir.File("m.onnx");
        ConvMixerTool.Run("convert", Fixtures.Weights, onnx, "--input-size", "32").ExitCode.Should().Be(0);
        var calibration = Directory.CreateDirectory(_dir.File("calibration")).FullName;
        foreach (var name in new[] { "cat_landscape.jpg", "coffee.webp", "camera_gray.png", "rocket_portrait.jpg" })
        {
            File.Copy(Fixtures.Image(name), Path.Combine(calibration, name));
        }

        var int8 = _dir.File("m.int8.onnx");
        var quantize = ConvMixerTool.Run("quantize", onnx, int8, "--calibration", calibration);
        quantize.ExitCode.Should().Be(0, quantize.ToString());
        quantize.Output.ReplaceLineEndings(" ").Should().Contain("in int8").And.Contain("calibrated on 4");
        var predict = ConvMixerTool.Run("predict", "-w", int8, "--json", "--top", "1", Fixtures.Image("coffee.webp"));
        predict.ExitCode.Should().Be(0, predict.ToString());

        var empty = Directory.CreateDirectory(_dir.File("empty")).FullName;
        var refused = ConvMixerTool.Run("quantize", onnx, _dir.File("x.onnx"), "--calibration", empty);
        refused.ExitCode.Should().Be(2, refused.ToString());
        refused.Error.Should().Contain("calibration images");
    }

    [Fact]
    public void A_file_that_is_not_onnx_gets_a_clear_error()
    {
        var fake = _dir.File("fake.onnx");
        File.WriteAllText(fake, "not a protobuf at all");

        var result = ConvMixerTool.Run("predict", "-w", fake, Fixtures.Image("coffee.webp"));

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("fake.onnx").And.NotContain("   at ");
    }
}
