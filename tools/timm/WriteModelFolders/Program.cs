// Writes the model folders of CheckedFolders for check_our_folder.py: for each case, the folder (ModelFolder.Save),
// a fixed input and the .NET logits on it as raw little-endian float32, and manifest.json with what the model's
// configuration says (taken from the model, not from config.json, so the script compares timm's reading with ours).
// The BatchNorm statistics it measures go to the second folder, the Core tests' fixtures, for the test that writes
// the folders again.
using System.Text.Json;
using ConvMixerNet.Core;
using ConvMixerNet.Tools;
using TorchSharp;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: WriteModelFolders <output folder> <statistics folder>");
    return 2;
}

var (root, statistics) = (args[0], args[1]);
Directory.CreateDirectory(root);
var manifest = new List<object>();
foreach (var name in CheckedFolders.Names)
{
    using var model = CheckedFolders.BuildMeasuringStatistics(name, statistics);
    CheckedFolders.Write(model, name, root);

    var data = model.Pretrained!.Data;
    torch.manual_seed(1);
    using var input = torch.rand(2, data.InChannels, data.InputSize, data.InputSize).mul_(4).sub_(2);
    using (var noGrad = torch.no_grad())
    using (var logits = model.forward(input))
    {
        File.WriteAllBytes(Path.Combine(root, $"{name}.input.bin"), input.bytes.ToArray());
        File.WriteAllBytes(Path.Combine(root, $"{name}.logits.bin"), logits.bytes.ToArray());
    }

    manifest.Add(new
    {
        name,
        published = CheckedFolders.IsPublished(name),
        architecture = model.Pretrained.Architecture,
        num_classes = model.NumClasses,
        input_shape = input.shape,
        label_names = model.Pretrained.LabelNames,
        data_config = new
        {
            input_size = new[] { data.InChannels, data.InputSize, data.InputSize },
            interpolation = data.Interpolation.ToString().ToLowerInvariant(),
            crop_pct = data.CropFraction,
            crop_mode = data.CropMode.ToString().ToLowerInvariant(),
            mean = data.Mean,
            std = data.Std,
        },
    });
    Console.WriteLine($"{name}: {model.Config}, {data}");
}

File.WriteAllText(Path.Combine(root, "manifest.json"), JsonSerializer.Serialize(new { folders = manifest }, new JsonSerializerOptions { WriteIndented = true }) + "\n");
return 0;
