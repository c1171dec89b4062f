using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
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

    [Theory]
    [InlineData(17, "Erf", "Gelu")]
    [InlineData(20, "Gelu", "Erf")]
    public void Opset_chooses_the_operator_set_and_GELU_form_and_both_classify_like_the_weights(int opset, string geluOperator, string otherForm)
    {
        var onnx = _dir.File($"opset{opset}.onnx");

        var export = ConvMixerTool.Run("convert", Fixtures.Weights, onnx, "--input-size", "32", "--opset", opset.ToString(CultureInfo.InvariantCulture));

        export.ExitCode.Should().Be(0, export.ToString());
        var contents = OnnxFileContents.Read(onnx);
        contents.DefaultOpset.Should().Be(opset);
        contents.OperatorTypes.Should().Contain(geluOperator).And.NotContain(otherForm);
        var images = new[] { "cat_landscape.jpg", "coffee.webp" }.Select(Fixtures.Image).ToArray();
        var onOnnx = ConvMixerTool.Run(["predict", "-w", onnx, "--json", "--top", "10", .. images]);
        var onTorch = ConvMixerTool.Run(["predict", "-w", Fixtures.Weights, "--json", "--top", "10", "--input-size", "32", .. images]);
        onOnnx.ExitCode.Should().Be(0, onOnnx.ToString());
        Probabilities(onOnnx.Output).Should().Equal(Probabilities(onTorch.Output), (a, b) => Math.Abs(a - b) < 1e-5f);

        var refused = ConvMixerTool.Run("convert", Fixtures.Weights, _dir.File("opset18.onnx"), "--opset", "18");
        refused.ExitCode.Should().Be(2, refused.ToString());
        refused.Error.Should().Contain("--opset");
    }

    [Fact]
    public void Eval_on_an_exported_onnx_file_gives_the_accuracy_and_loss_of_its_weights()
    {
        var data = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);
        var names = _dir.File("classes.txt");
        File.WriteAllLines(names, QuadrantImages.Classes);
        var run = _dir.File("run");
        var train = ConvMixerTool.Run(
            "train", "--data", data, "--out", run, "--class-names", names, "--dim", "8", "--depth", "1", "--kernel", "3", "--patch", "2", "--epochs", "2", "--batch", "16", "--lr", "0.02", "--threads", "1");
        train.ExitCode.Should().Be(0, train.ToString());
        var onnx = _dir.File("run.onnx");
        var export = ConvMixerTool.Run("convert", run, onnx);
        export.ExitCode.Should().Be(0, export.ToString());

        var onTorch = ConvMixerTool.Run("eval", "--weights", run, "--data", data, "--threads", "1");
        var onOnnx = ConvMixerTool.Run("eval", "--weights", onnx, "--data", data, "--threads", "1");

        onOnnx.ExitCode.Should().Be(0, onOnnx.ToString());
        onOnnx.Error.Should().NotContain("warning", "the ONNX file carries the run's preprocessing and class names");
        var (torchCorrect, torchLoss) = Evaluation(onTorch.Output);
        var (onnxCorrect, onnxLoss) = Evaluation(onOnnx.Output);
        onnxCorrect.Should().Be(torchCorrect, onOnnx.Output);
        onnxLoss.Should().BeApproximately(torchLoss, 1e-3, onOnnx.Output);
        onOnnx.Output.Should().Contain("top-left", "the confusion matrix names the classes stored in the file");
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

    // Every image's probabilities, in the order printed (rank within image).
    private static List<float> Probabilities(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .SelectMany(image => image.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("probability").GetSingle())).ToList();
    }

    // "Accuracy 62.50 % (20/32), loss 1.0123": the correct count out of the 32 test images, and the loss.
    private static (string Correct, double Loss) Evaluation(string output)
    {
        var match = Regex.Match(output, @"Accuracy \d+\.\d\d % \((\d+/32)\), loss (\d+\.\d+)");
        match.Success.Should().BeTrue(output);
        return (match.Groups[1].Value, double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }
}
