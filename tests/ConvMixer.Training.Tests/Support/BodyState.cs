using static TorchSharp.torch;

namespace ConvMixerNet.Training.Tests;

/// <summary>A copy of every state-dict entry of a model but its classifier: parameters and BatchNorm statistics.</summary>
internal sealed class BodyState : IDisposable
{
    private readonly Dictionary<string, Tensor> _copies;

    public BodyState(ConvMixer model)
    {
        _copies = model.state_dict().Where(p => !p.Key.StartsWith("head.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value.detach().clone());
    }

    public IReadOnlyCollection<string> Keys => _copies.Keys;

    /// <summary>The keys whose tensors in <paramref name="model"/> are no longer bit-identical to the copy.</summary>
    public IReadOnlyList<string> ChangedIn(ConvMixer model)
    {
        var now = model.state_dict();
        return _copies.Where(p => !now.TryGetValue(p.Key, out var tensor) || !Identical(tensor, p.Value)).Select(p => p.Key).ToList();
    }

    // Same dtype, shape and every value (TorchSharp's equal is element-wise).
    private static bool Identical(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var same = a.eq(b);
        using var all = same.all();
        return all.item<bool>();
    }

    public void Dispose()
    {
        foreach (var copy in _copies.Values)
        {
            copy.Dispose();
        }
    }
}
