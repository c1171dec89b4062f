using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// A reference case produced by the Python implementations (timm or the official repository):
/// hyperparameters, state dict, input and expected outputs, read from the copied fixtures.
/// </summary>
public sealed class GoldenCase
{
    private readonly JsonElement _manifest;

    private GoldenCase(string name, JsonElement manifest)
    {
        Name = name;
        _manifest = manifest;
        var h = manifest.GetProperty("hyperparameters");
        Config = new ConvMixerConfig(
            Dim: h.GetProperty("dim").GetInt32(),
            Depth: h.GetProperty("depth").GetInt32(),
            KernelSize: h.GetProperty("kernel_size").GetInt32(),
            PatchSize: h.GetProperty("patch_size").GetInt32(),
            NumClasses: h.TryGetProperty("num_classes", out var n) ? n.GetInt32() : h.GetProperty("n_classes").GetInt32());
    }

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden");

    public string Name { get; }

    public ConvMixerConfig Config { get; }

    public string PthPath => Path.Combine(Directory, Name + ".pth");

    public static GoldenCase Load(string name)
    {
        using var stream = File.OpenRead(Path.Combine(Directory, name + ".json"));
        using var doc = JsonDocument.Parse(stream);
        return new GoldenCase(name, doc.RootElement.Clone());
    }

    /// <summary>The state dict with the keys exactly as the reference implementation wrote them.</summary>
    public Dictionary<string, Tensor> StateDict() =>
        _manifest.GetProperty("state_dict").EnumerateArray()
            .ToDictionary(e => e.GetProperty("key").GetString()!, ReadTensor);

    public IReadOnlyList<string> Keys =>
        _manifest.GetProperty("state_dict").EnumerateArray().Select(e => e.GetProperty("key").GetString()!).ToList();

    public Tensor Input => ReadTensor(_manifest.GetProperty("input"));

    public Tensor Logits => ReadTensor(_manifest.GetProperty("logits"));

    public Tensor Features => ReadTensor(_manifest.GetProperty("extra_outputs").GetProperty("features"));

    public Tensor PreLogits => ReadTensor(_manifest.GetProperty("extra_outputs").GetProperty("pre_logits"));

    /// <summary>A model built from the case's hyperparameters with the reference weights loaded, in eval mode.</summary>
    public ConvMixer BuildModel()
    {
        var model = new ConvMixer(Config);
        var weights = StateDict();
        var renamed = StateDictLayout.ToTimm(weights.Keys);
        model.load_state_dict(weights.ToDictionary(p => renamed[p.Key], p => p.Value), strict: true);
        foreach (var tensor in weights.Values)
        {
            tensor.Dispose();
        }

        model.eval();
        return model;
    }

    private static Tensor ReadTensor(JsonElement entry)
    {
        var shape = entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var bytes = File.ReadAllBytes(Path.Combine(Directory, entry.GetProperty("path").GetString()!));
        return entry.GetProperty("dtype").GetString() switch
        {
            "float32" => torch.tensor(Cast<float>(bytes), shape),
            "float64" => torch.tensor(Cast<double>(bytes), shape),
            "int64" => torch.tensor(Cast<long>(bytes), shape),
            var other => throw new NotSupportedException($"Fixture dtype {other}"),
        };
    }

    private static T[] Cast<T>(byte[] bytes)
        where T : struct => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();
}
