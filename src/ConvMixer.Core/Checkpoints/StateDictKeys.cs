using System.Text.RegularExpressions;

namespace ConvMixerNet.Core;

/// <summary>Which keys of a checkpoint any ConvMixer has (in any key layout), so the tensors of other keys need not be read.</summary>
internal static partial class StateDictKeys
{
    // The keys of one-layer models of every residual placement, with the layer index generalised.
    private static readonly Lazy<HashSet<string>> ModelKeyPatterns = new(() =>
    {
        var patterns = new HashSet<string>(StringComparer.Ordinal);
        foreach (var placement in Enum.GetValues<ResidualPlacement>())
        {
            using var model = new ConvMixer(new ConvMixerConfig(1, 1, KernelSize: 1, PatchSize: 1, NumClasses: 1, InChannels: 1, ResidualPlacement: placement));
            patterns.UnionWith(model.state_dict().Keys.Select(Generalise));
        }

        return patterns;
    });

    /// <summary>The keys among <paramref name="keys"/> that name a tensor some ConvMixer has; none when the keys are not a ConvMixer's layout at all.</summary>
    public static HashSet<string> WantedByAConvMixer(IEnumerable<string> keys)
    {
        IReadOnlyDictionary<string, string> timm;
        try
        {
            timm = StateDictLayout.ToTimm(keys);
        }
        catch (ArgumentException)
        {
            return []; // refused when the keys are translated; nothing needs reading first
        }

        return timm.Where(p => ModelKeyPatterns.Value.Contains(Generalise(p.Value))).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
    }

    private static string Generalise(string key) => LayerIndex().Replace(key, "blocks.#.");

    [GeneratedRegex(@"^blocks\.\d+\.")]
    private static partial Regex LayerIndex();
}
