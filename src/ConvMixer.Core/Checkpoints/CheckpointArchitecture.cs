using System.Globalization;
using System.Text.RegularExpressions;

namespace ConvMixerNet.Core;

/// <summary>
/// Reads a ConvMixer's hyperparameters off its state dict (timm keys): <c>stem.0.weight</c> is
/// <c>[dim, inChannels, patch, patch]</c>, <c>blocks.{i}.0.fn.0.weight</c> is <c>[dim, 1, kernel, kernel]</c> for each of
/// the <c>depth</c> layers, and <c>head.weight</c> is <c>[numClasses, dim]</c> (absent without a classifier).
/// </summary>
internal static partial class CheckpointArchitecture
{
    public static ConvMixerConfig Infer(string path, IReadOnlyDictionary<string, long[]> shapes)
    {
        if (!shapes.TryGetValue("stem.0.weight", out var stem) || stem.Length != 4 || stem[2] != stem[3])
        {
            throw new InvalidCheckpointException(path,
                "it is not a ConvMixer: there is no patch-embedding weight 'stem.0.weight' of shape [dim, channels, patch, patch] "
                + $"(keys include {string.Join(", ", shapes.Keys.Take(5).Select(k => $"'{k}'"))}).");
        }

        var layerIndices = shapes.Keys
            .Select(k => DepthwiseKey().Match(k))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        if (layerIndices.Count == 0 || !layerIndices.SequenceEqual(Enumerable.Range(0, layerIndices.Count)))
        {
            throw new InvalidCheckpointException(path,
                "it is not a ConvMixer: the depthwise weights 'blocks.{i}.0.fn.0.weight' are missing or not numbered 0, 1, 2, ….");
        }

        var depthwise = shapes["blocks.0.0.fn.0.weight"];
        if (depthwise.Length != 4 || depthwise[1] != 1 || depthwise[2] != depthwise[3])
        {
            throw new InvalidCheckpointException(path,
                $"it is not a ConvMixer: 'blocks.0.0.fn.0.weight' has shape {Format(depthwise)}, not [dim, 1, kernel, kernel].");
        }

        var numClasses = 0L;
        if (shapes.TryGetValue("head.weight", out var head))
        {
            if (head.Length != 2)
            {
                throw new InvalidCheckpointException(path, $"'head.weight' has shape {Format(head)}, not [numClasses, dim].");
            }

            numClasses = head[0];
        }

        return new ConvMixerConfig(
            Dim: Narrow(path, stem[0], "dim"),
            Depth: layerIndices.Count,
            KernelSize: Narrow(path, depthwise[2], "kernel size"),
            PatchSize: Narrow(path, stem[2], "patch size"),
            NumClasses: Narrow(path, numClasses, "class count"),
            InChannels: Narrow(path, stem[1], "input channels"));
    }

    public static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static int Narrow(string path, long value, string what) =>
        value is >= 0 and <= int.MaxValue ? (int)value : throw new InvalidCheckpointException(path, $"its {what} ({value}) is out of range.");

    [GeneratedRegex(@"^blocks\.(\d+)\.0\.fn\.0\.weight$")]
    private static partial Regex DepthwiseKey();
}
