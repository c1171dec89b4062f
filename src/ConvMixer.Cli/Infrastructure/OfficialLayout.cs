using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ConvMixerNet.Cli;

/// <summary>
/// Writes a model for the official repository's <c>ConvMixer</c> (one flat <c>nn.Sequential</c>): <c>0</c> patch
/// convolution, <c>2</c> its BatchNorm, <c>3 + i</c> layer i (same inner keys as timm), <c>depth + 5</c> the classifier.
/// Saved as a PyTorch state dict that <c>model.load_state_dict(torch.load(path))</c> accepts.
/// </summary>
internal static class OfficialLayout
{
    public static string KeyFor(string timmKey, int depth)
    {
        static string Rest(string key, string prefix) => key[prefix.Length..];
        if (timmKey.StartsWith("stem.", StringComparison.Ordinal))
        {
            return Rest(timmKey, "stem.");
        }

        if (timmKey.StartsWith("head.", StringComparison.Ordinal))
        {
            return $"{depth + 5}.{Rest(timmKey, "head.")}";
        }

        if (timmKey.StartsWith("blocks.", StringComparison.Ordinal))
        {
            var rest = Rest(timmKey, "blocks.");
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            return $"{3 + int.Parse(rest[..dot], System.Globalization.CultureInfo.InvariantCulture)}.{rest[(dot + 1)..]}";
        }

        throw new InvalidOperationException($"'{timmKey}' is not a ConvMixer state-dict key.");
    }

    /// <summary>Saves atomically: a temporary file in the same folder, flushed, then renamed over <paramref name="path"/>.</summary>
    public static void Save(ConvMixer model, string path)
    {
        if (model.NumClasses == 0)
        {
            throw new UsageException("the official layout needs a classifier (its last Sequential index is the Linear layer); this model has none.");
        }

        using var scope = NewDisposeScope();
        var tensors = model.state_dict().ToDictionary(p => KeyFor(p.Key, model.Config.Depth), p => p.Value.detach().cpu().contiguous());
        var fullPath = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                PyTorchPickler.PickleStateDict(stream, tensors, leaveOpen: true);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
