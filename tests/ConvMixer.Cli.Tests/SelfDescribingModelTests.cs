using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary>
/// A trained model carries its preprocessing and class names: the training checkpoint, the run folder (a model folder)
/// and its model.safetensors copied elsewhere classify and evaluate alike, and nothing falls back to ImageNet silently.
/// </summary>
public sealed class SelfDescribingModelTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_checkpoint_the_run_folder_and_the_exported_file_give_the_same_accuracy_and_class_names()
    {
        var data = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);
        var names = _dir.File("classes.txt");
        File.WriteAllLines(names, QuadrantImages.Classes);
        var run = _dir.File("run");

        var train = ConvMixerTool.Run(
            "train", "--data", data, "--out", run, "--class-names", names, "--dim", "8", "--depth", "1", "--kernel", "3", "--patch", "2",
            "--epochs", "3", "--batch", "16", "--lr", "0.02", "--threads", "1");
        train.ExitCode.Should().Be(0, train.ToString());

        // The run folder is a model folder: config.json (timm's layout) next to model.safetensors.
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
        {
            config.RootElement.GetProperty("label_names").EnumerateArray().Select(e => e.GetString()).Should().Equal(QuadrantImages.Classes);
            var cfg = config.RootElement.GetProperty("pretrained_cfg");
            cfg.GetProperty("input_size").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(1, 8, 8);
            cfg.GetProperty("crop_pct").GetDouble().Should().Be(1.0);
            // The training pixels' own statistics (the 96 images WriteIdxSplits writes, read as value / 255), not ImageNet's.
            var pixels = QuadrantImages.Generate(96, seed: 1).Pixels.Select(p => p / 255.0).ToArray();
            var mean = pixels.Average();
            var std = Math.Sqrt(pixels.Average(p => (p - mean) * (p - mean)));
            cfg.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble()).Should().ContainSingle().Which.Should().BeApproximately(mean, 1e-3);
            cfg.GetProperty("std").EnumerateArray().Select(e => e.GetDouble()).Should().ContainSingle().Which.Should().BeApproximately(std, 1e-3);
        }

        var exported = Path.Combine(Directory.CreateDirectory(_dir.File("elsewhere")).FullName, "model.safetensors");
        File.Copy(Path.Combine(run, "model.safetensors"), exported);

        var accuracies = new[] { Path.Combine(run, "checkpoint.ckpt"), run, exported }.Select(weights =>
        {
            var eval = ConvMixerTool.Run("eval", "--weights", weights, "--data", data, "--threads", "1");
            eval.ExitCode.Should().Be(0, eval.ToString());
            eval.Error.Should().NotContain("warning", "a model with a stored configuration needs no assumption");
            return System.Text.RegularExpressions.Regex.Match(eval.Output, @"Accuracy (\d+\.\d\d) %").Groups[1].Value;
        }).ToList();
        accuracies.Should().OnlyContain(a => a == accuracies[0], "the three ways of naming the model preprocess alike");
        double.Parse(accuracies[0], System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(50, "three epochs learn the quadrants");

        // predict names the classes by the training data's names, from any of the three.
        var image = _dir.File("top-left.png");
        WriteQuadrantPng(image);
        var predictions = new[] { Path.Combine(run, "checkpoint.ckpt"), run, exported }
            .Select(weights => ConvMixerTool.Run("predict", "-w", weights, "--json", "--top", "1", image))
            .ToList();
        predictions.Should().OnlyContain(p => p.ExitCode == 0 && !p.Error.Contains("warning"));
        predictions.Select(p => p.Output).Distinct().Should().ContainSingle();
        using var json = JsonDocument.Parse(predictions[0].Output);
        QuadrantImages.Classes.Should().Contain(json.RootElement[0].GetProperty("predictions")[0].GetProperty("label").GetString());

        // info and convert read the training checkpoint too.
        var info = ConvMixerTool.Run("info", Path.Combine(run, "checkpoint.ckpt"));
        info.ExitCode.Should().Be(0, info.ToString());
        info.Output.Should().Contain("top-left").And.Contain("1x8x8");
        var folder = _dir.File("converted") + "/";
        var convert = ConvMixerTool.Run("convert", Path.Combine(run, "checkpoint.ckpt"), folder);
        convert.ExitCode.Should().Be(0, convert.ToString());
        File.ReadAllText(Path.Combine(folder, "config.json")).Should().Be(File.ReadAllText(Path.Combine(run, "config.json")));
    }

    [Fact]
    public void A_model_trained_on_an_image_folder_names_its_classes_by_the_folder_names()
    {
        var data = _dir.File("pets");
        foreach (var (name, bright) in new[] { ("cats", true), ("dogs", false) })
        {
            Directory.CreateDirectory(Path.Combine(data, name));
            for (var i = 0; i < 6; i++)
            {
                WriteQuadrantPng(Path.Combine(data, name, $"{i}.png"), bright ? 200 : 30);
            }
        }

        var run = _dir.File("run");
        var train = ConvMixerTool.Run("train", "--data", data, "--out", run, "--dim", "8", "--depth", "1", "--kernel", "3", "--patch", "2",
            "--image-size", "8", "--epochs", "1", "--batch", "4", "--threads", "1");
        train.ExitCode.Should().Be(0, train.ToString());

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        config.RootElement.GetProperty("label_names").EnumerateArray().Select(e => e.GetString()).Should().Equal("cats", "dogs");
        config.RootElement.GetProperty("pretrained_cfg").GetProperty("input_size").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(3, 8, 8);
        var predict = ConvMixerTool.Run("predict", "-w", run, "--json", "--top", "2", Path.Combine(data, "cats", "0.png"));
        predict.ExitCode.Should().Be(0, predict.ToString());
        JsonDocument.Parse(predict.Output).RootElement[0].GetProperty("predictions").EnumerateArray()
            .Select(p => p.GetProperty("label").GetString()).Should().BeEquivalentTo("cats", "dogs");
    }

    [Fact]
    public void A_model_without_configuration_that_is_not_imagenet_shaped_gets_one_warning_line_naming_the_defaults()
    {
        var image = Fixtures.Image("coffee.webp");

        var bare = ConvMixerTool.Run("predict", "-w", Fixtures.Weights, "--top", "1", image);
        bare.ExitCode.Should().Be(0, bare.ToString());
        var warnings = bare.Error.Split('\n').Where(l => l.StartsWith("warning:", StringComparison.Ordinal)).ToList();
        warnings.Should().ContainSingle().Which.Should().Contain("10 classes").And.Contain("--mean").And.Contain("224");

        // Giving the preprocessing, or storing it with the model, silences it.
        var given = ConvMixerTool.Run("predict", "-w", Fixtures.Weights, "--top", "1", "--input-size", "32", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25", "--labels", WriteLabels(10), image);
        given.ExitCode.Should().Be(0, given.ToString());
        given.Error.Should().NotContain("warning");

        var folder = _dir.File("configured") + "/";
        var convert = ConvMixerTool.Run("convert", Fixtures.Weights, folder, "--input-size", "32", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25", "--labels", WriteLabels(10));
        convert.ExitCode.Should().Be(0, convert.ToString());
        var stored = ConvMixerTool.Run("predict", "-w", folder, "--top", "1", "--json", image);
        stored.Error.Should().NotContain("warning");
        stored.Output.Should().Be(ConvMixerTool.Run("predict", "-w", Fixtures.Weights, "--top", "1", "--json", "--input-size", "32", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25", "--labels", WriteLabels(10), image).Output);
        JsonDocument.Parse(stored.Output).RootElement[0].GetProperty("predictions")[0].GetProperty("label").GetString().Should().StartWith("label ");
    }

    [Fact]
    public void Flags_override_stored_values()
    {
        var folder = _dir.File("configured") + "/";
        ConvMixerTool.Run("convert", Fixtures.Weights, folder, "--input-size", "32", "--labels", WriteLabels(10)).ExitCode.Should().Be(0);
        var image = Fixtures.Image("cat_landscape.jpg");

        var stored = ConvMixerTool.Run("predict", "-w", folder, "--top", "10", "--json", image);
        var overridden = ConvMixerTool.Run("predict", "-w", folder, "--top", "10", "--json", "--mean", "0,0,0", "--std", "1,1,1", image);
        var explicitSame = ConvMixerTool.Run("predict", "-w", Fixtures.Weights, "--top", "10", "--json", "--input-size", "32", "--mean", "0,0,0", "--std", "1,1,1", "--labels", WriteLabels(10), image);

        overridden.ExitCode.Should().Be(0, overridden.ToString());
        overridden.Output.Should().NotBe(stored.Output, "--mean/--std replace the stored normalisation");
        overridden.Output.Should().Be(explicitSame.Output);
        var info = ConvMixerTool.Run("info", folder, "--input-size", "64");
        info.Output.Should().Contain("3x64x64").And.Contain("label 0");
    }

    [Fact]
    public void A_wrong_configuration_is_refused_with_the_field_named()
    {
        var folder = _dir.File("bad");
        ConvMixerTool.Run("convert", Fixtures.Weights, folder + "/").ExitCode.Should().Be(0);
        var configPath = Path.Combine(folder, "config.json");
        var good = File.ReadAllText(configPath);

        // Each edit, and what the message must name: the field, and for the class count the stated and the real count.
        foreach (var (from, to, named) in new (string, string, string[])[]
        {
            ("\"mean\": [\n      0.485,\n      0.456,\n      0.406\n    ]", "\"mean\": [0.5, 0.5]", ["mean"]),
            ("\"input_size\": [\n      3,\n      224,\n      224\n    ]", "\"input_size\": [3, 0, 0]", ["input_size"]),
            ("\"num_classes\": 10,\n  \"num_features\"", "\"num_classes\": 7,\n  \"label_names\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"],\n  \"num_features\"", ["num_classes", "states 7 classes", "has 10"]),
        })
        {
            good.Should().Contain(from, "the test edits the file the writer produced");
            File.WriteAllText(configPath, good.Replace(from, to));
            var result = ConvMixerTool.Run("predict", "-w", folder, Fixtures.Image("coffee.webp"));
            result.ExitCode.Should().Be(1, result.ToString());
            result.Error.Should().Contain("config.json").And.ContainAll(named).And.NotContain("   at ");
        }
    }

    [Fact]
    public void Convert_names_the_setting_that_does_not_fit_the_model_in_a_plain_sentence()
    {
        var folder = _dir.File("misfit") + "/";

        var mean = ConvMixerTool.Run("convert", Fixtures.Weights, folder, "--input-size", "32", "--mean", "0.5,0.5");
        var labels = ConvMixerTool.Run("convert", Fixtures.Weights, folder, "--input-size", "32", "--labels", WriteLabels(3));

        mean.ExitCode.Should().Be(2, mean.ToString());
        mean.Error.Should().Contain("the preprocessing does not fit the model: Mean needs 3 value(s), one per input channel, but has 2.");
        labels.ExitCode.Should().Be(2, labels.ToString());
        labels.Error.Should().Contain("the configuration does not fit the model: LabelNames has 3 names, but the model has 10 classes.");
        foreach (var result in new[] { mean, labels })
        {
            result.Error.Should().NotContain("(Parameter").And.NotContain("Actual value").And.NotContain("   at ");
        }

        Directory.Exists(folder).Should().BeFalse("nothing is written when the configuration does not fit");
    }

    private string WriteLabels(int count)
    {
        var path = _dir.File($"labels{count}.txt");
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(i => $"label {i}"));
        return path;
    }

    // An 8x8 grey PNG bright in its top-left quadrant, like the training images.
    private static void WriteQuadrantPng(string path, int bright = 170)
    {
        using var bitmap = new SkiaSharp.SKBitmap(8, 8);
        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                var v = (byte)(x < 4 && y < 4 ? bright : 40);
                bitmap.SetPixel(x, y, new SkiaSharp.SKColor(v, v, v));
            }
        }

        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
