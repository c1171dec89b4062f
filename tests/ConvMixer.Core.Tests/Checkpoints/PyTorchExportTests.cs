using System.Text.Json;
using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// What .NET saves loads in PyTorch: Fixtures/export holds models trained briefly and saved by ConvMixer.Core
/// (tools/checkpoints/ExportForPyTorch) and the logits PyTorch computed after loading each file into timm's and the
/// official architecture with load_state_dict(strict=True) (tools/checkpoints/check_export.py).
/// </summary>
public class PyTorchExportTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "export");

    public static TheoryData<string> ModelNames => new("gelu_dim16_depth2_k5_p2", "relu_dim12_depth3_k4_p3");

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
    public void Saving_again_writes_exactly_the_bytes_PyTorch_checked(string name)
    {
        var verified = Path.Combine(Folder, name + ".safetensors");
        using var model = ConvMixer.FromCheckpoint(verified);
        using var folder = new TemporaryDirectory();
        var path = folder.File(name + ".safetensors");

        model.SaveCheckpoint(path);

        File.ReadAllBytes(path).Should().Equal(File.ReadAllBytes(verified));
    }

    [Fact]
    public void Every_recorded_PyTorch_check_passed_with_a_strict_load()
    {
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "results.json")));
        var checks = results.RootElement.GetProperty("checks").EnumerateArray().ToList();

        checks.Should().HaveCount(8, "2 models × 2 formats × 2 architectures");
        checks.Should().OnlyContain(c => c.GetProperty("strict_load").GetBoolean() && c.GetProperty("passed").GetBoolean());
    }

    private static Tensor ReadFloats(string file, long[] shape)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, file));
        return torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape);
    }
}
