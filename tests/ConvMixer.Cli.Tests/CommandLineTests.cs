using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary>The built <c>convmixer</c> tool, run as a process: output, exit codes and error messages.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    private static readonly string Weights = Fixtures.Weights;

    [Fact]
    public void Help_lists_every_command_and_exit_codes()
    {
        var result = ConvMixerTool.Run("--help");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("Exit codes");
        var commands = result.Output[result.Output.IndexOf("Commands:", StringComparison.Ordinal)..].Split('\n').Skip(1)
            .Select(line => line.Trim().Split(' ')[0]).Where(name => name.Length > 0);
        commands.Should().BeEquivalentTo(["info", "predict", "explain", "convert", "quantize", "bench", "train", "eval", "download"]);
    }

    // Every command's help, with the options the README documents for it.
    [Theory]
    [InlineData("info", "--input-size --crop-fraction --interpolation --mean --std --labels")]
    [InlineData("predict", "--weights --top --json --batch-size --precision --input-size --crop-fraction --interpolation --mean --std --labels")]
    [InlineData("convert", "--format --layout --force --opset --pytorch-weights --input-size --crop-fraction --interpolation --mean --std --labels")]
    [InlineData("quantize", "--calibration --count --force")]
    [InlineData("bench", "--preset --batch-size --backend --precision --iterations --warmup --json")]
    [InlineData("train", "--data --out --recipe --resume --force --epochs --batch --lr --class-names --eval-tta --threads")]
    [InlineData("eval", "--weights --data --tta --input-size --crop-fraction --interpolation --mean --std --labels")]
    [InlineData("download", "--help")]
    public void Every_command_has_help_with_its_usage_and_options(string command, string options)
    {
        var result = ConvMixerTool.Run(command, "--help");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().BeEmpty();
        result.Output.Should().Contain($"convmixer {command}").And.Contain("Usage:");
        // Option lines start with the option's names: "-w, --weights <weights> (REQUIRED)  The model: ...".
        var listed = result.Output.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith('-'))
            .SelectMany(line => line.Split("  ")[0].Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)).ToList();
        listed.Should().Contain(options.Split(' '), result.Output);
    }

    [Fact]
    public void Info_on_a_preset_shows_parameters_and_MACs()
    {
        var result = ConvMixerTool.Run("info", "convmixer_768_32");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("21,110,248").And.Contain("20,676,851,712").And.Contain("Relu").And.Contain("blocks.{i}.1.weight");
    }

    [Fact]
    public void Info_on_a_checkpoint_reads_its_architecture()
    {
        var result = ConvMixerTool.Run("info", Weights, "--input-size", "32");

        result.ExitCode.Should().Be(0, result.ToString());
        // dim 32, depth 2, kernel 5, patch 4, 10 classes: 5,994 parameters; 8x8 tokens.
        result.Output.Should().Contain("ConvMixer-32/2").And.Contain("5,994").And.Contain("8x8 patches");
    }

    [Theory]
    [InlineData(40)]
    [InlineData(60)]
    [InlineData(80)]
    [InlineData(200)]
    public void Predict_prints_a_table_whose_labels_and_probabilities_never_wrap_at_any_width(int columns)
    {
        // A long absolute path, as a clone in a deep folder gives: only the image column may fold.
        var deep = Directory.CreateDirectory(Path.Combine(NewFolder(), "a-rather-long-folder-name", "and-another-one-below-it")).FullName;
        var image = Path.Combine(deep, "cat_landscape.jpg");
        File.Copy(Fixtures.Image("cat_landscape.jpg"), image);
        var json = ConvMixerTool.Run("predict", "-w", Weights, "--input-size", "32", "--top", "3", "--json", image);
        var expected = JsonDocument.Parse(json.Output).RootElement[0].GetProperty("predictions").EnumerateArray()
            .Select(p => (Label: p.GetProperty("label").GetString()!, Index: p.GetProperty("index").GetInt32(), Probability: p.GetProperty("probability").GetSingle()))
            .ToList();

        var result = ConvMixerTool.RunIn(null, columns, "predict", "-w", Weights, "--input-size", "32", "--top", "3", image);

        result.ExitCode.Should().Be(0, result.ToString());
        var lines = result.Output.Split('\n');
        for (var rank = 0; rank < expected.Count; rank++)
        {
            var (label, index, probability) = expected[rank];
            var percent = probability.ToString("P2", System.Globalization.CultureInfo.InvariantCulture);
            lines.Should().ContainSingle(
                l => Cells(l).Skip(1).SequenceEqual(new[] { (rank + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), label, index.ToString(System.Globalization.CultureInfo.InvariantCulture), percent }),
                $"rank {rank + 1} is one row with its label, class and probability at {columns} columns:\n{result.Output}");
        }

        // The image column, read top to bottom, spells the whole path (folded, never cut).
        string.Concat(lines.Select(Cells).Where(c => c.Count == 5).Skip(1).Select(c => c[0])).Should().Be(image, result.Output);
        // libtorch may warn on stderr (NNPACK on CPUs it does not support); no error may appear.
        result.Error.Should().NotContainAny("error", "Exception");
    }

    [Fact]
    public void Predict_shows_a_path_relative_to_the_current_folder_when_that_is_shorter()
    {
        var folder = NewFolder();
        File.Copy(Fixtures.Image("coffee.webp"), Path.Combine(folder, "coffee.webp"));

        var result = ConvMixerTool.RunIn(folder, 200, "predict", "-w", Weights, "--input-size", "32", "--top", "1", Path.Combine(folder, "coffee.webp"));

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Split('\n').Select(Cells).Should().Contain(c => c.Count == 5 && c[0] == "coffee.webp", result.Output);
    }

    [Fact]
    public void Predict_json_matches_the_library_and_reports_bad_images_with_exit_code_3()
    {
        var folder = NewFolder();
        foreach (var name in new[] { "cat_landscape.jpg", "coffee.webp", "camera_gray.png" })
        {
            File.Copy(Fixtures.Image(name), Path.Combine(folder, name));
        }

        File.WriteAllBytes(Path.Combine(folder, "broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image, and skipped: folders only yield image extensions");

        var result = ConvMixerTool.Run("predict", "--weights", Weights, "--input-size", "32", "--top", "2", "--json", folder);

        result.ExitCode.Should().Be(3, result.ToString());
        result.Error.Should().Contain("broken.png").And.Contain("1 of 4 images");
        using var json = JsonDocument.Parse(result.Output);
        var entries = json.RootElement.EnumerateArray().ToList();
        entries.Select(e => Path.GetFileName(e.GetProperty("image").GetString())).Should().Equal("broken.png", "camera_gray.png", "cat_landscape.jpg", "coffee.webp");
        entries[0].GetProperty("error").GetString().Should().NotBeNullOrEmpty();

        using var classifier = Fixtures.Classifier();
        foreach (var entry in entries.Skip(1))
        {
            var expected = classifier.Classify(entry.GetProperty("image").GetString()!, 2);
            var predictions = entry.GetProperty("predictions").EnumerateArray().ToList();
            predictions.Select(p => p.GetProperty("index").GetInt32()).Should().Equal(expected.Select(p => p.ClassIndex));
            predictions.Select(p => p.GetProperty("probability").GetSingle()).Should().Equal(expected.Select(p => p.Probability), (a, b) => Math.Abs(a - b) < 1e-5f);
        }
    }

    [Fact]
    public void User_errors_exit_non_zero_with_the_cause_on_stderr_and_no_stack_trace()
    {
        var noise = Path.Combine(NewFolder(), "noise.pth");
        File.WriteAllBytes(noise, Enumerable.Range(0, 5000).Select(i => (byte)(i * 31 % 256)).ToArray());
        var cases = new (string[] Args, int Exit, string Message)[]
        {
            (["predict", "-w", "missing.safetensors", Fixtures.Image("coffee.webp")], 1, "missing.safetensors"),
            (["predict", "-w", noise, Fixtures.Image("coffee.webp")], 1, Path.GetFileName(noise)),
            (["predict", "-w", Weights, "--top", "0", Fixtures.Image("coffee.webp")], 2, "--top must be positive"),
            (["predict", "-w", Weights, NewFolder()], 2, "no images found"),
            (["predict", "-w", Weights, "--preset", "convmixer_9999", Fixtures.Image("coffee.webp")], 2, "unknown preset"),
            (["info", "no-such-model"], 2, "neither a model"),
            (["predict", Fixtures.Image("coffee.webp")], 2, "--weights"),
            (["bench", "--no-such-option"], 2, "--no-such-option"),
            (["frobnicate"], 2, "frobnicate"),
        };

        foreach (var (args, exit, message) in cases)
        {
            var result = ConvMixerTool.Run(args);

            result.ExitCode.Should().Be(exit, result.ToString());
            result.Error.Should().Contain(message, result.ToString());
            result.Error.Should().NotContain("   at ", "user errors get a message, not a stack trace");
        }
    }

    [Fact]
    public void Convert_writes_a_checkpoint_that_predicts_the_same()
    {
        var output = Path.Combine(NewFolder(), "caseA.safetensors");

        var converted = ConvMixerTool.Run("convert", Weights, output);

        converted.ExitCode.Should().Be(0, converted.ToString());
        converted.Output.Should().Contain("5,994 parameters");
        var source = WrittenCheckpoint.ReadPyTorch(Weights);
        WrittenCheckpoint.ShouldBeSafetensorsOf(output, source, new Dictionary<string, string> { ["format"] = "pt" });
        var description = WrittenCheckpoint.SafetensorsConfig(output);
        description.GetProperty("num_classes").GetInt32().Should().Be(10);
        var modelArgs = description.GetProperty("model_args");
        modelArgs.GetProperty("dim").GetInt32().Should().Be(32);
        modelArgs.GetProperty("depth").GetInt32().Should().Be(2);
        modelArgs.GetProperty("kernel_size").GetInt32().Should().Be(5);
        modelArgs.GetProperty("patch_size").GetInt32().Should().Be(4);
        modelArgs.GetProperty("activation").GetString().Should().Be("gelu");
        var image = Fixtures.Image("rocket_portrait.jpg");
        var before = ConvMixerTool.Run("predict", "-w", Weights, "--input-size", "32", "--json", image);
        var after = ConvMixerTool.Run("predict", "-w", output, "--input-size", "32", "--json", image);
        after.ExitCode.Should().Be(0, after.ToString());
        after.Output.Should().Be(before.Output);

        var again = ConvMixerTool.Run("convert", Weights, output);
        again.ExitCode.Should().Be(2);
        again.Error.Should().Contain("--force");
        var torchSharpPath = Path.ChangeExtension(output, ".dat");
        var torchSharp = ConvMixerTool.Run("convert", Weights, torchSharpPath, "--format", "TorchSharp");
        torchSharp.ExitCode.Should().Be(0, torchSharp.ToString());
        WrittenCheckpoint.ShouldBeTorchSharpOf(torchSharpPath, source);
        foreach (var tensor in source.Values)
        {
            tensor.Dispose();
        }

        var mismatch = ConvMixerTool.Run("convert", Weights, output, "--force", "--format", "TorchSharp");
        mismatch.ExitCode.Should().Be(2, "a .safetensors name must hold a safetensors file");
        mismatch.Error.Should().Contain("does not match the extension");
    }

    [Fact]
    public void Convert_writes_the_official_layout_as_a_pytorch_state_dict()
    {
        var output = Path.Combine(NewFolder(), "official.pth");

        var converted = ConvMixerTool.Run("convert", Weights, output, "--layout", "official");

        converted.ExitCode.Should().Be(0, converted.ToString());
        using (var stream = File.OpenRead(output))
        {
            var keys = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(stream).Keys.Cast<string>().ToList();
            // dim 32, depth 2: 0 conv, 2 BatchNorm, 3 and 4 the layers, 7 the classifier.
            keys.Should().Contain(["0.weight", "2.running_var", "3.0.fn.0.weight", "4.3.num_batches_tracked", "7.weight", "7.bias"]);
            keys.Should().NotContain(k => k.StartsWith("stem") || k.StartsWith("blocks") || k.StartsWith("head"));
        }

        var image = Fixtures.Image("cat_palette.png");
        ConvMixerTool.Run("predict", "-w", output, "--input-size", "32", "--json", image).Output
            .Should().Be(ConvMixerTool.Run("predict", "-w", Weights, "--input-size", "32", "--json", image).Output);
        // The official layout in the format the extension names: a .safetensors file with the flat keys.
        var safetensors = ConvMixerTool.Run("convert", Weights, Path.ChangeExtension(output, ".safetensors"), "--layout", "official");
        safetensors.ExitCode.Should().Be(0, safetensors.ToString());
        File.ReadAllBytes(Path.ChangeExtension(output, ".safetensors"))[8].Should().Be((byte)'{', "a safetensors header follows the 8-byte length");
        ConvMixerTool.Run("predict", "-w", Path.ChangeExtension(output, ".safetensors"), "--input-size", "32", "--json", image).Output
            .Should().Be(ConvMixerTool.Run("predict", "-w", Weights, "--input-size", "32", "--json", image).Output);
    }

    [Fact]
    public void Bench_reports_throughput()
    {
        var result = ConvMixerTool.Run("bench", "--preset", "convmixer_256_8_ks5_p2_cifar10", "--input-size", "32", "--batch-size", "2", "--iterations", "3", "--warmup", "1", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("images_per_second").GetDouble().Should().BePositive();
        json.RootElement.GetProperty("iterations").GetInt32().Should().Be(3);
        ConvMixerTool.Run("bench", "--preset", "convmixer_256_8_ks5_p2_cifar10", "--input-size", "32", "--batch-size", "2", "--iterations", "2", "--precision", "bfloat16")
            .Output.Should().Contain("images/s").And.Contain("bfloat16");
        foreach (var precision in new[] { "float32", "int8" })
        {
            var onnx = ConvMixerTool.Run("bench", "--preset", "convmixer_256_8_ks5_p2_cifar10", "--input-size", "32", "--batch-size", "2", "--iterations", "2", "--backend", "onnxruntime", "--precision", precision);
            onnx.ExitCode.Should().Be(0, onnx.ToString());
            onnx.Output.ReplaceLineEndings(" ").Should().Contain("ONNX").And.Contain("Median per batch").And.Contain(precision);
        }

        var mismatch = ConvMixerTool.Run("bench", "--preset", "convmixer_256_8_ks5_p2_cifar10", "--precision", "int8");
        mismatch.ExitCode.Should().Be(2);
        mismatch.Error.Should().Contain("--backend onnxruntime");
    }

    public void Dispose() => _temp.Dispose();

    // The cells of a table row drawn with Spectre's box characters, trimmed; no cells for a border line.
    private static IReadOnlyList<string> Cells(string line) =>
        line.Contains('│') ? line.Split('│')[1..^1].Select(c => c.Trim()).ToList() : [];

    private string NewFolder() => Directory.CreateDirectory(_temp.File(Guid.NewGuid().ToString("N"))).FullName;
}
