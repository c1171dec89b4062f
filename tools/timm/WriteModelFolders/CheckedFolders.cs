using ConvMixerNet.Core;
using TorchSharp;
using TorchSharp.Modules;

namespace ConvMixerNet.Tools;

/// <summary>
/// The model folders that tools/timm/check_our_folder.py loads with timm: one per case, built from a fixed seed and
/// written with <see cref="ModelFolder.Save"/>. Shared with the test that checks today's writer still writes the
/// files the recorded timm run saw, so both always describe the same folders.
/// </summary>
public static class CheckedFolders
{
    /// <summary>A published architecture (timm builds it by name) with 10 classes; 21 M parameters, so never committed.</summary>
    public const string Published = "convmixer_768_32_10_classes";

    /// <summary>A shape timm has no name for, ReLU, 5 classes.</summary>
    public const string Unpublished = "relu_24_2_ks3_p4";

    /// <summary>A one-channel (grey) shape timm has no name for, GELU, 3 classes.</summary>
    public const string UnpublishedGrey = "grey_gelu_8_1_ks5_p2";

    /// <summary>Every case, in the order the tool writes them.</summary>
    public static IReadOnlyList<string> Names { get; } = [Published, Unpublished, UnpublishedGrey];

    /// <summary>Whether timm registers the case's architecture (so <c>timm.create_model('local-dir:…')</c> applies).</summary>
    public static bool IsPublished(string name) => name == Published;

    /// <summary>
    /// Builds the case's model in eval mode, with its configuration, weights from its seed and the BatchNorm statistics
    /// <see cref="BuildMeasuringStatistics"/> stored in <paramref name="statisticsFolder"/>: the same bytes on any CPU.
    /// </summary>
    public static ConvMixer Build(string name, string statisticsFolder)
    {
        var model = Initialize(name);
        try
        {
            ReadStatistics(model, StatisticsFile(statisticsFolder, name));
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds the case's model as <see cref="Build"/> does, but measures its BatchNorm statistics on a batch like the
    /// checked input and stores them in <paramref name="statisticsFolder"/> for <see cref="Build"/>.
    /// </summary>
    public static ConvMixer BuildMeasuringStatistics(string name, string statisticsFolder)
    {
        var model = Initialize(name);
        try
        {
            MeasureStatistics(model);
            Directory.CreateDirectory(statisticsFolder);
            using var file = File.Create(StatisticsFile(statisticsFolder, name));
            foreach (var statistic in Statistics(model))
            {
                file.Write(statistic.bytes);
            }

            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Writes the case's model folder into <paramref name="root"/>/<paramref name="name"/> and returns its path.</summary>
    public static string Write(ConvMixer model, string name, string root)
    {
        var folder = Path.Combine(root, name);
        // pytorch_model.bin too: timm reads it where the safetensors package is missing.
        ModelFolder.Save(model, folder, includePyTorchWeights: true);
        return folder;
    }

    // Preprocessing and names unlike the defaults in every field, so a field timm ignored would show.
    private static PretrainedConfig Configuration(string name) => name switch
    {
        Published => new PretrainedConfig
        {
            Data = new DataConfig { InputSize = 112, CropFraction = 0.9, Interpolation = Interpolation.Bilinear, Mean = [0.5f, 0.45f, 0.4f], Std = [0.26f, 0.25f, 0.27f] },
            LabelNames = new ClassLabels(["acorn", "birch", "cedar", "dogwood", "elm", "fir", "ginkgo", "hazel", "ironwood", "juniper"]),
            Architecture = "convmixer_768_32",
            Source = "ConvMixerNet tools/timm/WriteModelFolders",
            License = "mit",
            Description = "Random weights in the shape of ConvMixer-768/32 with a 10-class head.",
        },
        Unpublished => new PretrainedConfig
        {
            Data = new DataConfig { InputSize = 40, CropFraction = 0.875, Interpolation = Interpolation.Bicubic, Mean = [0.4f, 0.5f, 0.6f], Std = [0.3f, 0.2f, 0.25f] },
            LabelNames = new ClassLabels(["alpha", "beta", "gamma", "delta", "epsilon"]),
            License = "cc0-1.0",
        },
        UnpublishedGrey => new PretrainedConfig
        {
            Data = new DataConfig { InChannels = 1, InputSize = 28, CropFraction = 1.0, CropMode = CropMode.Squash, Interpolation = Interpolation.Nearest, Mean = [0.2860f], Std = [0.3530f] },
            LabelNames = new ClassLabels(["circle", "square", "triangle"]),
        },
        _ => throw new ArgumentException($"Unknown case '{name}'.", nameof(name)),
    };

    // The case's model with its configuration and seeded weights, away from their initial values. A deep random net is
    // chaotic: float32 rounding grows layer by layer (ConvMixer-768/32 at its random start: 1e-3 between float32 and
    // float64). Pointwise convolutions near the identity, a head that keeps the logits near 1 and BatchNorm statistics
    // measured on a batch like the checked input bring that to about 1e-6, so timm's float32 and ours can be compared
    // at 1e-5. Seeded before the model is built, and only uniform draws and elementwise arithmetic, so the weights do
    // not depend on what ran before in the process or on the CPU; the statistics, which come from a forward pass whose
    // last bits do, are stored instead (see Build).
    private static ConvMixer Initialize(string name)
    {
        torch.manual_seed(Seed(name));
        var model = name switch
        {
            Published => ConvMixerModels.convmixer_768_32(numClasses: 10),
            Unpublished => new ConvMixer(new ConvMixerConfig(Dim: 24, Depth: 2, KernelSize: 3, PatchSize: 4, NumClasses: 5, Activation: Activation.Relu)),
            UnpublishedGrey => new ConvMixer(new ConvMixerConfig(Dim: 8, Depth: 1, KernelSize: 5, PatchSize: 2, NumClasses: 3, InChannels: 1)),
            _ => throw new ArgumentException($"Unknown case '{name}'.", nameof(name)),
        };
        model.Pretrained = Configuration(name);
        using var noGrad = torch.no_grad();
        foreach (var (_, parameter) in model.named_parameters())
        {
            if (parameter.dim() == 1)
            {
                // BatchNorm's scales and shifts start at exactly 1 and 0.
                using var noise = torch.rand_like(parameter).sub_(0.5).mul_(0.2);
                parameter.add_(noise);
            }
            else if (parameter.shape is [var outputs, var inputs, 1, 1] && outputs == inputs)
            {
                using var identity = torch.eye(outputs).reshape(parameter.shape);
                parameter.add_(identity);
            }
        }

        if (model.Config.Depth > 8)
        {
            ((Linear)model.Head).weight!.mul_(0.02);
        }

        return model;
    }

    private static int Seed(string name) => name switch
    {
        Published => 768,
        Unpublished => 24,
        UnpublishedGrey => 8,
        _ => throw new ArgumentException($"Unknown case '{name}'.", nameof(name)),
    };

    private static void MeasureStatistics(ConvMixer model)
    {
        using var noGrad = torch.no_grad();
        var norms = model.modules().OfType<BatchNorm>().ToList();
        foreach (var norm in norms)
        {
            norm.momentum = 1.0;
        }

        // The checked input's size and distribution (see Program.cs).
        var data = model.Pretrained!.Data;
        using var batch = torch.rand(8, data.InChannels, data.InputSize, data.InputSize).mul_(4).sub_(2);
        model.train();
        using var output = model.forward(batch);
        foreach (var norm in norms)
        {
            norm.momentum = 0.1;
            // A channel (almost) dead on the batch would divide by sqrt(eps) on other inputs and blow up the logits.
            using var floor = norm.running_var!.mean().mul_(0.1);
            norm.running_var.clamp_(min: floor.item<float>());
            // The measuring pass is not part of the case: Build, which reads the statistics, leaves the counters at 0.
            norm.num_batches_tracked!.zero_();
        }
    }

    // The running means and variances of every BatchNorm in module order: what the statistics file holds, as raw
    // little-endian float32.
    private static IEnumerable<torch.Tensor> Statistics(ConvMixer model) =>
        model.modules().OfType<BatchNorm>().SelectMany(norm => new[] { norm.running_mean!, norm.running_var! });

    private static void ReadStatistics(ConvMixer model, string path)
    {
        var bytes = File.ReadAllBytes(path);
        var expected = Statistics(model).Sum(statistic => statistic.NumberOfElements * sizeof(float));
        if (bytes.Length != expected)
        {
            throw new InvalidDataException($"'{path}' holds {bytes.Length} bytes; the model's BatchNorm statistics take {expected}.");
        }

        var offset = 0;
        using var noGrad = torch.no_grad();
        foreach (var statistic in Statistics(model))
        {
            var length = (int)statistic.NumberOfElements * sizeof(float);
            statistic.bytes = bytes.AsSpan(offset, length);
            offset += length;
        }
    }

    private static string StatisticsFile(string folder, string name) => Path.Combine(folder, name + ".batchnorm.bin");
}
