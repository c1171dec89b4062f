// Exports ConvMixers made in .NET for check_export.py: for each model, <name>.safetensors and <name>.pth, the input
// and the .NET logits as raw little-endian float32, and manifest.json with the hyperparameters.
using System.Text.Json;
using ConvMixerNet.Core;
using TorchSharp;
using static TorchSharp.torch;

var folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: ExportForPyTorch <output folder>");
Directory.CreateDirectory(folder);
torch.manual_seed(20220124);

// Even kernel with ReLU (timm and official 'same' padding: 1 before, 2 after) and the default GELU.
var configs = new Dictionary<string, ConvMixerConfig>
{
    ["gelu_dim16_depth2_k5_p2"] = new(Dim: 16, Depth: 2, KernelSize: 5, PatchSize: 2, NumClasses: 7),
    ["relu_dim12_depth3_k4_p3"] = new(Dim: 12, Depth: 3, KernelSize: 4, PatchSize: 3, NumClasses: 5, Activation: Activation.Relu),
};

using var input = torch.rand(2, 3, 24, 24) * 2 - 1;
File.WriteAllBytes(Path.Combine(folder, "input.bin"), input.bytes.ToArray());
var manifest = new List<object>();
foreach (var (name, config) in configs)
{
    using var model = new ConvMixer(config);

    // A few training-mode steps so BatchNorm running statistics and weights are not their initial values.
    using var optimizer = torch.optim.SGD(model.parameters(), learningRate: 0.05);
    model.train();
    for (var step = 0; step < 5; step++)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        var batch = torch.rand(8, 3, 24, 24) * 2 - 1;
        model.forward(batch).pow(2).mean().backward();
        optimizer.step();
    }

    model.eval();
    using (var noGrad = torch.no_grad())
    using (var logits = model.forward(input))
    {
        File.WriteAllBytes(Path.Combine(folder, $"{name}.dotnet_logits.bin"), logits.bytes.ToArray());
    }

    model.SaveCheckpoint(Path.Combine(folder, $"{name}.safetensors"));
    model.SaveCheckpoint(Path.Combine(folder, $"{name}.pth"));
    manifest.Add(new
    {
        name,
        dim = config.Dim,
        depth = config.Depth,
        kernel_size = config.KernelSize,
        patch_size = config.PatchSize,
        num_classes = config.NumClasses,
        in_chans = config.InChannels,
        activation = config.Activation.ToString().ToLowerInvariant(),
    });
}

File.WriteAllText(Path.Combine(folder, "manifest.json"), JsonSerializer.Serialize(new { input_shape = input.shape, models = manifest }, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"Wrote {configs.Count} models to {folder}");
