using FluentAssertions;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>A deep copy of a model's parameters and buffers, to prove a failed load changed nothing.</summary>
public sealed class StateSnapshot : IDisposable
{
    private readonly Dictionary<string, Tensor> _copies;

    public StateSnapshot(nn.Module model)
    {
        _copies = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
    }

    public void ShouldEqual(nn.Module model)
    {
        var now = model.state_dict();
        now.Keys.Should().BeEquivalentTo(_copies.Keys);
        foreach (var (key, copy) in _copies)
        {
            now[key].dtype.Should().Be(copy.dtype, key);
            now[key].Identical(copy).Should().BeTrue($"'{key}' must be unchanged");
        }
    }

    public void Dispose()
    {
        foreach (var copy in _copies.Values)
        {
            copy.Dispose();
        }
    }
}
