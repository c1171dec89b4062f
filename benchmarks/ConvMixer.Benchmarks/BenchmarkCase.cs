using System.Globalization;

namespace ConvMixerNet.Benchmarks;

/// <summary>What one benchmark case runs, parsed from the id shared with the PyTorch script.</summary>
/// <remarks>
/// Ids: <c>forward:&lt;preset&gt;:&lt;batch&gt;:&lt;precision&gt;</c> (224×224 images; precision <c>fp32</c> or <c>bf16</c> in
/// TorchSharp, <c>onnx-fp32</c>, <c>onnx-fp32-gelu20</c> or <c>onnx-int8</c> in ONNX Runtime),
/// <c>train:&lt;preset&gt;:&lt;batch&gt;</c> (32×32 images, forward + backward + SGD step) and
/// <c>mm:&lt;n&gt;:&lt;fp32|bf16&gt;</c> (an n×n matrix product, the machine's reference rate).
/// </remarks>
internal sealed record BenchmarkCase(string Kind, string Preset, int Batch, string Precision)
{
    /// <summary>The precisions of a forward case: TorchSharp's two, then ONNX Runtime's.</summary>
    public static readonly IReadOnlyList<string> ForwardPrecisions = ["fp32", "bf16", "onnx-fp32", "onnx-fp32-gelu20", "onnx-int8"];

    public bool BFloat16 => Precision == "bf16";

    /// <summary>Whether ONNX Runtime runs the case (an exported, possibly quantized model) rather than TorchSharp.</summary>
    public bool OnnxRuntime => Precision.StartsWith("onnx-", StringComparison.Ordinal);

    public const int ForwardImageSize = 224;
    public const int TrainingImageSize = 32;

    public string Id => Kind switch
    {
        "forward" => $"forward:{Preset}:{Batch}:{Precision}",
        "train" => $"train:{Preset}:{Batch}",
        _ => $"mm:{Batch}:{(BFloat16 ? "bf16" : "fp32")}",
    };

    public int ImageSize => Kind == "train" ? TrainingImageSize : ForwardImageSize;

    /// <summary>Images per run (the batch), or 1 for a matrix product.</summary>
    public int Items => Kind == "mm" ? 1 : Batch;

    public ConvMixerConfig Config => ConvMixerPresets.Get(Preset);

    public static BenchmarkCase Parse(string id)
    {
        var parts = id.Split(':');
        return parts[0] switch
        {
            "forward" when parts.Length == 4 && ForwardPrecisions.Contains(parts[3]) => new("forward", parts[1], Int(parts[2]), parts[3]),
            "train" when parts.Length == 3 => new("train", parts[1], Int(parts[2]), "fp32"),
            "mm" when parts.Length == 3 => new("mm", "", Int(parts[1]), parts[2]),
            _ => throw new ArgumentException($"Unknown case id '{id}'. Expected forward:<preset>:<batch>:<{string.Join('|', ForwardPrecisions)}>, train:<preset>:<batch> or mm:<n>:<fp32|bf16>."),
        };
    }

    /// <summary>
    /// Floating-point operations of one run: twice <see cref="ConvMixerConfig.MultiplyAccumulates"/> (a multiply-add is 2).
    /// A training step counts as 3 forwards (forward, gradient of the input, gradient of the weights).
    /// </summary>
    public double Flops
    {
        get
        {
            if (Kind == "mm")
            {
                return 2.0 * Batch * Batch * Batch;
            }

            var forward = 2.0 * Batch * Config.MultiplyAccumulates(ImageSize, ImageSize);
            return Kind == "train" ? 3 * forward : forward;
        }
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>The cases of the issue: three ImageNet models × three batches × two dtypes, the CIFAR training step, and the matrix-product reference.</summary>
    public static IReadOnlyList<BenchmarkCase> All { get; } =
    [
        Parse("mm:4096:fp32"),
        Parse("mm:4096:bf16"),
        .. from preset in new[] { "convmixer_1536_20", "convmixer_768_32", "convmixer_1024_20_ks9_p14" }
           from batch in new[] { 1, 4, 16 }
           from dtype in new[] { "fp32", "bf16" }
           select Parse($"forward:{preset}:{batch}:{dtype}"),
        Parse("train:convmixer_256_8_ks5_p2_cifar10:64"),
    ];
}
