using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class LabelSmoothingTests
{
    [Fact]
    public void Smoothed_loss_equals_the_hand_computed_value()
    {
        // logits (2, 1, 0), label 0, smoothing 0.1:
        // logsumexp = 2 + ln(1 + e^-1 + e^-2) = 2.4076059644443806, so -log p = (0.40760596, 1.40760596, 2.40760596);
        // loss = 0.9 * 0.40760596444 + 0.1 * mean(-log p) = 0.9 * 0.40760596444 + 0.1 * 1.40760596444 = 0.50760596444.
        using var logits = torch.tensor(new float[] { 2, 1, 0 }, [1, 3]);
        using var labels = torch.tensor(new long[] { 0 });
        using var loss = TrainingLoss.Compute(logits, labels, 0.1);
        loss.item<float>().Should().BeApproximately(0.50760596f, 1e-6f);
    }

    [Fact]
    public void Without_smoothing_the_loss_is_plain_cross_entropy()
    {
        using var logits = torch.tensor(new float[] { 2, 1, 0, 0, 3, 1 }, [2, 3]);
        using var labels = torch.tensor(new long[] { 0, 2 });
        using var loss = TrainingLoss.Compute(logits, labels, 0.0);
        // (-log softmax(2,1,0)[0] - log softmax(0,3,1)[2]) / 2 = (0.40760596 + 2.16984602) / 2
        loss.item<float>().Should().BeApproximately(1.28872599f, 1e-6f);
    }
}
