using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Core.Tests;

public class NativeMemoryTests
{
    [Fact]
    public void Hundred_forwards_leave_no_tensor_alive_but_their_results()
    {
        using var model = new ConvMixer(dim: 16, depth: 2, kernelSize: 3, patchSize: 2, numClasses: 4);
        model.eval();
        using var input = torch.randn(2, 3, 16, 16);
        using (var warmUp = model.forward(input))
        {
        }

        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < 100; i++)
        {
            using var logits = model.forward(input);
        }

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Each_forward_returns_exactly_one_live_tensor()
    {
        using var model = new ConvMixer(dim: 16, depth: 2, kernelSize: 3, patchSize: 2, numClasses: 4);
        model.train();
        using var input = torch.randn(2, 3, 16, 16);

        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using var logits = model.forward(input);

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before + 1);
    }
}
