using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// The published ConvMixer architectures, in one table. Names follow timm's model names; the CIFAR-10
/// model is the one of the official repository's CIFAR-10 training script.
/// </summary>
public static class ConvMixerPresets
{
    /// <summary>ConvMixer-1536/20, kernel 9, patch 7, GELU: 81.4% ImageNet top-1, 51,625,960 parameters.</summary>
    public static ConvMixerConfig ConvMixer1536_20 { get; } = new(Dim: 1536, Depth: 20, KernelSize: 9, PatchSize: 7);

    /// <summary>ConvMixer-768/32, kernel 7, patch 7, ReLU: 80.2% ImageNet top-1, 21,110,248 parameters.</summary>
    public static ConvMixerConfig ConvMixer768_32 { get; } = new(Dim: 768, Depth: 32, KernelSize: 7, PatchSize: 7, Activation: Activation.Relu);

    /// <summary>ConvMixer-1024/20, kernel 9, patch 14, GELU: 76.9% ImageNet top-1, 24,383,464 parameters.</summary>
    public static ConvMixerConfig ConvMixer1024_20 { get; } = new(Dim: 1024, Depth: 20, KernelSize: 9, PatchSize: 14);

    /// <summary>ConvMixer-256/8, kernel 5, patch 2, GELU, 10 classes: the official CIFAR-10 model, 594,186 parameters.</summary>
    public static ConvMixerConfig ConvMixer256_8Cifar10 { get; } = new(Dim: 256, Depth: 8, KernelSize: 5, PatchSize: 2, NumClasses: 10);

    /// <summary>Every preset by name (timm's names for the ImageNet models).</summary>
    public static IReadOnlyDictionary<string, ConvMixerConfig> ByName { get; } = new Dictionary<string, ConvMixerConfig>(StringComparer.OrdinalIgnoreCase)
    {
        ["convmixer_1536_20"] = ConvMixer1536_20,
        ["convmixer_768_32"] = ConvMixer768_32,
        ["convmixer_1024_20_ks9_p14"] = ConvMixer1024_20,
        ["convmixer_256_8_ks5_p2_cifar10"] = ConvMixer256_8Cifar10,
    };

    /// <summary>
    /// The Hugging Face hub repositories of the published weights, by preset name (timm's <c>model.tag</c> names under
    /// <c>timm/</c>); the CIFAR-10 model has none. <c>ConvMixer.FromCheckpoint("convmixer_768_32")</c> and
    /// <c>"convmixer_768_32.in1k"</c> download from these.
    /// </summary>
    public static IReadOnlyDictionary<string, string> HubIds { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["convmixer_1536_20"] = "timm/convmixer_1536_20.in1k",
        ["convmixer_768_32"] = "timm/convmixer_768_32.in1k",
        ["convmixer_1024_20_ks9_p14"] = "timm/convmixer_1024_20_ks9_p14.in1k",
    };

    /// <summary>
    /// The configuration of the weights published for a preset (torchvision's Weights, timm's <c>pretrained_cfg</c>):
    /// ImageNet-1k preprocessing and labels for the ImageNet models; CIFAR-10's statistics, 32×32 and labels for the
    /// CIFAR-10 model of the official training script.
    /// </summary>
    /// <exception cref="ArgumentException">No preset has that name.</exception>
    public static PretrainedConfig PretrainedFor(string name)
    {
        var config = Get(name);
        var key = ByName.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        return config.NumClasses == 1000
            ? PretrainedConfig.ImageNet1k with { Architecture = key, Source = HubIds[key] }
            : Cifar10 with { Architecture = key };
    }

    private static PretrainedConfig Cifar10 { get; } = new()
    {
        Data = new DataConfig
        {
            InputSize = 32,
            CropFraction = 1.0,
            Mean = [0.4914f, 0.4822f, 0.4465f],
            Std = [0.2471f, 0.2435f, 0.2616f],
        },
        LabelNames = new ClassLabels(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]),
        License = "mit",
        Description = "The official repository's CIFAR-10 recipe for ConvMixer-256/8 (its training script's normalisation and classes).",
        OriginUrl = "https://github.com/locuslab/convmixer-cifar10",
    };

    /// <summary>Looks a preset up by name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists the known names.</exception>
    public static ConvMixerConfig Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByName.TryGetValue(name, out var config)
            ? config
            : throw new ArgumentException($"Unknown ConvMixer preset '{name}'. Known presets: {string.Join(", ", ByName.Keys)}.", nameof(name));
    }

    /// <summary>The problem with a name that is no preset, for a caller to report: "unknown preset 'NAME'. Known presets: …".</summary>
    public static string Unknown(string name) => $"unknown preset '{name}'. Known presets: {string.Join(", ", ByName.Keys)}.";
}

/// <summary>Factory functions with timm's model names, in the style of <c>torchvision.models</c>.</summary>
public static class ConvMixerModels
{
    /// <summary>ConvMixer-1536/20 (kernel 9, patch 7, GELU).</summary>
    public static ConvMixer convmixer_1536_20(int numClasses = 1000, Device? device = null, ScalarType? dtype = null) =>
        WithPublishedConfig(new(ConvMixerPresets.ConvMixer1536_20 with { NumClasses = numClasses }, device: device, dtype: dtype), "convmixer_1536_20");

    /// <summary>ConvMixer-768/32 (kernel 7, patch 7, ReLU).</summary>
    public static ConvMixer convmixer_768_32(int numClasses = 1000, Device? device = null, ScalarType? dtype = null) =>
        WithPublishedConfig(new(ConvMixerPresets.ConvMixer768_32 with { NumClasses = numClasses }, device: device, dtype: dtype), "convmixer_768_32");

    /// <summary>ConvMixer-1024/20 (kernel 9, patch 14, GELU).</summary>
    public static ConvMixer convmixer_1024_20_ks9_p14(int numClasses = 1000, Device? device = null, ScalarType? dtype = null) =>
        WithPublishedConfig(new(ConvMixerPresets.ConvMixer1024_20 with { NumClasses = numClasses }, device: device, dtype: dtype), "convmixer_1024_20_ks9_p14");

    /// <summary>ConvMixer-256/8 (kernel 5, patch 2, GELU), the official CIFAR-10 model.</summary>
    public static ConvMixer convmixer_256_8_ks5_p2_cifar10(int numClasses = 10, Device? device = null, ScalarType? dtype = null) =>
        WithPublishedConfig(new(ConvMixerPresets.ConvMixer256_8Cifar10 with { NumClasses = numClasses }, device: device, dtype: dtype), "convmixer_256_8_ks5_p2_cifar10");

    // The architecture's published configuration, while the classifier is the published one (its labels apply).
    private static ConvMixer WithPublishedConfig(ConvMixer model, string name)
    {
        var published = ConvMixerPresets.PretrainedFor(name);
        model.Pretrained = model.NumClasses == ConvMixerPresets.Get(name).NumClasses ? published : published with { LabelNames = null };
        return model;
    }
}
