using System.Text.Json;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// What .NET saves loads in PyTorch, as recorded: Fixtures/export holds two models trained briefly and saved by
/// ConvMixer.Core (tools/checkpoints/ExportForPyTorch) and what tools/checkpoints/check_export.py wrote after loading
/// each file with load_state_dict(strict=True) into timm's own ConvMixer class (imported from an unmodified timm
/// checkout) and into the official repository's ConvMixer (its convmixer.py; nn.GELU swapped for nn.ReLU in the ReLU
/// model, since that function hard-codes GELU): PyTorch's logits and results.json. These tests run no Python; they
/// hold the .NET side to those recorded results.
/// </summary>
public class PyTorchExportTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "export");

    private static readonly string[] Names = ["gelu_dim16_depth2_k5_p2", "relu_dim12_depth3_k4_p3"];

    public static TheoryData<string> ModelNames => new(Names);

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void PyTorch_logits_from_the_exported_files_match_the_NET_model(string name)
    {
        using var model = ConvMixer.FromCheckpoint(Path.Combine(Folder, name + ".safetensors"));
        using var input = ReadFloats("input.bin", [2, 3, 24, 24]);
        using var _ = torch.no_grad();
        using var logits = model.forward(input);

        foreach (var architecture in new[] { "timm", "official" })
        {
            foreach (var format in new[] { "safetensors", "pth" })
            {
                using var python = ReadFloats($"{name}.{architecture}.{format}.python_logits.bin", logits.shape);
                logits.ShouldBeClose(python);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void The_exported_pth_loads_back_with_the_same_weights_as_the_safetensors(string name)
    {
        using var fromSafetensors = ConvMixer.FromCheckpoint(Path.Combine(Folder, name + ".safetensors"));
        using var fromPth = ConvMixer.FromCheckpoint(
            Path.Combine(Folder, name + ".pth"), new CheckpointLoadOptions { Activation = fromSafetensors.Config.Activation });

        fromPth.Config.Should().Be(fromSafetensors.Config);
        using var snapshot = new StateSnapshot(fromSafetensors);
        snapshot.ShouldEqual(fromPth);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Saving_again_writes_exactly_the_files_PyTorch_checked(string name)
    {
        var verified = Path.Combine(Folder, name + ".safetensors");
        using var model = ConvMixer.FromCheckpoint(verified);
        using var folder = new TemporaryDirectory();

        foreach (var (format, digestKey, digest) in CheckedFiles)
        {
            var path = folder.File($"{name}.{format}");
            model.SaveCheckpoint(path);

            digest(path).Should().Be(
                RecordedDigest(name, format, digestKey), $"PyTorch loaded {name}.{format} as the writer wrote it then; after a change to the writer, rerun the export check (tools/checkpoints/README.md)");
        }

        File.ReadAllBytes(folder.File(name + ".safetensors")).Should().Equal(File.ReadAllBytes(verified));
    }

    [Fact]
    public void The_recorded_PyTorch_checks_used_the_reference_sources_and_match_the_committed_logits()
    {
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "results.json")));
        var sources = results.RootElement.GetProperty("sources");
        var checks = results.RootElement.GetProperty("checks").EnumerateArray().ToList();

        sources.GetProperty("timm").GetProperty("version").GetString().Should().NotBeNullOrEmpty("timm's own module was imported");
        sources.GetProperty("timm").GetProperty("sha256").GetString().Should().HaveLength(64);
        sources.GetProperty("official").GetProperty("sha256").GetString().Should().HaveLength(64);
        checks.Select(c => $"{c.GetProperty("model").GetString()}.{c.GetProperty("architecture").GetString()}.{c.GetProperty("format").GetString()}")
            .Should().BeEquivalentTo(Names.SelectMany(n => new[] { "timm", "official" }.SelectMany(a => new[] { "safetensors", "pth" }.Select(f => $"{n}.{a}.{f}"))));
        foreach (var check in checks)
        {
            var name = check.GetProperty("model").GetString()!;
            check.GetProperty("strict_load").GetBoolean().Should().BeTrue(name);
            check.GetProperty("passed").GetBoolean().Should().BeTrue(name);

            // The checked file is the committed one.
            var format = check.GetProperty("format").GetString()!;
            var (_, digestKey, digest) = CheckedFiles.Single(f => f.Format == format);
            check.GetProperty(digestKey).GetString().Should().Be(digest(Path.Combine(Folder, $"{name}.{format}")), $"{name}.{format}");

            // The recorded difference is the one between the committed logit files, so results.json is not stale.
            using var dotnet = ReadFloats($"{name}.dotnet_logits.bin");
            using var python = ReadFloats($"{name}.{check.GetProperty("architecture").GetString()}.{check.GetProperty("format").GetString()}.python_logits.bin");
            using var worst = (python - dotnet).abs().max();
            check.GetProperty("max_abs_diff_vs_dotnet").GetDouble().Should().Be(worst.item<float>(), name);
        }
    }

    // Each checked format, the key of its digest in results.json, and the digest: a .pth is a zip whose timestamps
    // change with every write, so its entries are hashed.
    private static readonly (string Format, string DigestKey, Func<string, string> Digest)[] CheckedFiles =
    [
        ("safetensors", "file_sha256", FileHashes.Sha256),
        ("pth", "file_zip_entries_sha256", FileHashes.ZipEntriesSha256),
    ];

    private static string RecordedDigest(string name, string format, string digestKey)
    {
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "results.json")));
        return results.RootElement.GetProperty("checks").EnumerateArray()
            .First(c => c.GetProperty("model").GetString() == name && c.GetProperty("format").GetString() == format)
            .GetProperty(digestKey).GetString()!;
    }

    private static Tensor ReadFloats(string file, long[]? shape = null)
    {
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Folder, file))).ToArray();
        return torch.tensor(values, shape ?? [values.Length]);
    }
}
