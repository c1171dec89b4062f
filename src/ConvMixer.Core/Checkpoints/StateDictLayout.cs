using System.Globalization;
using System.Text.RegularExpressions;

namespace ConvMixerNet.Core;

/// <summary>
/// Key layouts of ConvMixer state dicts in the wild, and their translation to timm's layout, which
/// <see cref="ConvMixer"/> uses.
/// </summary>
public static partial class StateDictLayout
{
    /// <summary>
    /// Translates keys to timm's layout: timm keys stay as they are; the official repository's flat
    /// <c>nn.Sequential</c> keys (<c>0.*</c> stem conv, <c>2.*</c> stem BatchNorm, <c>{3+i}.*</c> layer i,
    /// <c>{depth+5}.*</c> classifier) are renamed; a DataParallel <c>module.</c> prefix is stripped.
    /// </summary>
    /// <param name="keys">The keys as found in a checkpoint.</param>
    /// <returns>A map from each original key to its timm key.</returns>
    /// <exception cref="ArgumentException">The keys mix layouts or do not look like a ConvMixer.</exception>
    public static IReadOnlyDictionary<string, string> ToTimm(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var stripped = keys.ToDictionary(k => k, k => k.StartsWith("module.", StringComparison.Ordinal) ? k["module.".Length..] : k);
        if (!stripped.Values.Any(k => OfficialKey().IsMatch(k)))
        {
            return stripped;
        }

        // Official layout: the classifier is the highest top-level index, at depth + 5.
        var indices = stripped.Values.Select(TopLevelIndex).ToArray();
        if (indices.Any(i => i is null))
        {
            var odd = stripped.Values.First(k => TopLevelIndex(k) is null);
            throw new ArgumentException($"The state dict mixes the official repository's numbered keys with other keys (for example '{odd}').", nameof(keys));
        }

        var headIndex = indices.Max()!.Value;
        var depth = headIndex - 5;
        return stripped.ToDictionary(pair => pair.Key, pair => Rename(pair.Value, depth, headIndex));
    }

    /// <summary>
    /// Translates a timm key to the official repository's flat <c>nn.Sequential</c> layout: <c>stem.0</c>/<c>stem.2</c>
    /// become <c>0</c>/<c>2</c>, <c>blocks.{i}</c> becomes <c>{3+i}</c> and <c>head</c> becomes <c>{depth+5}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not a ConvMixer state-dict key.</exception>
    public static string ToOfficial(string timmKey, int depth)
    {
        ArgumentNullException.ThrowIfNull(timmKey);
        if (timmKey.StartsWith("stem.", StringComparison.Ordinal))
        {
            return timmKey["stem.".Length..];
        }

        if (timmKey.StartsWith("head.", StringComparison.Ordinal))
        {
            return $"{(depth + 5).ToString(CultureInfo.InvariantCulture)}.{timmKey["head.".Length..]}";
        }

        var rest = timmKey.StartsWith("blocks.", StringComparison.Ordinal) ? timmKey["blocks.".Length..] : null;
        var dot = rest?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (rest is null || dot <= 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var block))
        {
            throw new ArgumentException($"'{timmKey}' is not a ConvMixer state-dict key.", nameof(timmKey));
        }

        return $"{(3 + block).ToString(CultureInfo.InvariantCulture)}.{rest[(dot + 1)..]}";
    }

    private static string Rename(string key, int depth, int headIndex)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        var index = int.Parse(key[..dot], CultureInfo.InvariantCulture);
        var rest = key[(dot + 1)..];
        return index switch
        {
            0 or 2 => $"stem.{index}.{rest}",
            _ when index == headIndex => $"head.{rest}",
            _ when index >= 3 && index < 3 + depth => $"blocks.{(index - 3).ToString(CultureInfo.InvariantCulture)}.{rest}",
            _ => key, // left as is, so a strict load reports it as unexpected
        };
    }

    private static int? TopLevelIndex(string key)
    {
        var match = OfficialKey().Match(key);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"^(\d+)\.")]
    private static partial Regex OfficialKey();
}
