using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary>A trained model has one description, stored verbatim in every container it is written to.</summary>
public sealed class ModelDescriptionTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_run_folder_its_weights_and_the_exported_onnx_store_the_same_document_and_the_checkpoint_none()
    {
        var data = _dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);
        var names = _dir.File("classes.txt");
        File.WriteAllLines(names, QuadrantImages.Classes);
        var run = _dir.File("run");
        var train = ConvMixerTool.Run(
            "train", "--data", data, "--out", run, "--class-names", names, "--dim", "8", "--depth", "1", "--kernel", "3", "--patch", "2", "--epochs", "1", "--batch", "16", "--threads", "1");
        train.ExitCode.Should().Be(0, train.ToString());
        var onnx = _dir.File("run.onnx");
        ConvMixerTool.Run("convert", run, onnx).ExitCode.Should().Be(0);

        var folder = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!;
        var weights = JsonNode.Parse(WrittenCheckpoint.SafetensorsConfig(Path.Combine(run, "model.safetensors")).GetRawText())!;
        var exported = JsonNode.Parse(OnnxFileContents.MetadataProps(onnx)["config"])!;
        var checkpoint = CheckpointHeader(Path.Combine(run, "checkpoint.ckpt"));

        folder["label_names"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(QuadrantImages.Classes);
        folder["training"].Should().NotBeNull("the run records how it was trained");
        JsonNode.DeepEquals(weights, folder).Should().BeTrue($"model.safetensors stores {weights.ToJsonString()}, config.json {folder.ToJsonString()}");
        JsonNode.DeepEquals(exported, folder).Should().BeTrue($"run.onnx stores {exported.ToJsonString()}, config.json {folder.ToJsonString()}");
        checkpoint["config"].Should().BeNull("the run folder's config.json is the run's description; the trainer state does not repeat it");
        checkpoint["model"].Should().BeNull();
    }

    [Fact]
    public void A_run_folder_of_the_previous_version_resumes_and_is_then_written_with_one_description()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "earlier-versions");
        var data = _dir.File("data");
        var run = _dir.File("run");
        foreach (var file in Directory.EnumerateFiles(fixture, "*", SearchOption.AllDirectories).Where(f => f.Contains("/data/", StringComparison.Ordinal) || f.Contains("/run/", StringComparison.Ordinal)))
        {
            var target = Path.Combine(_dir.Path, Path.GetRelativePath(fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        CheckpointHeader(Path.Combine(run, "checkpoint.ckpt"))["model"].Should().NotBeNull("the fixture is a format-2 checkpoint");

        var resumed = ConvMixerTool.Run("train", "--data", data, "--out", run, "--resume", "--epochs", "2", "--threads", "1");

        resumed.ExitCode.Should().Be(0, resumed.ToString());
        resumed.Output.Should().Contain("Resuming after epoch 1 of 2");
        MetricsCsv.Read(Path.Combine(run, "metrics.csv")).Should().HaveCount(2);
        var header = CheckpointHeader(Path.Combine(run, "checkpoint.ckpt"));
        header["model"].Should().BeNull("the architecture is stored once, in the description");
        var folder = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!;
        header["config"].Should().BeNull("the trainer state is rewritten without a copy of the description");
        JsonNode.DeepEquals(JsonNode.Parse(WrittenCheckpoint.SafetensorsConfig(Path.Combine(run, "model.safetensors")).GetRawText()), folder).Should().BeTrue();
        folder["label_names"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("cats", "dogs");
    }

    // checkpoint.ckpt: BinaryWriter strings (7-bit length, UTF-8): the magic, an int32 format version, the JSON header.
    private static JsonNode CheckpointHeader(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        reader.ReadString().Should().Be("ConvMixer.Training checkpoint");
        reader.ReadInt32().Should().BeGreaterThan(0);
        return JsonNode.Parse(reader.ReadString())!;
    }
}
