using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Training.Tests;

/// <summary>Flip test-time augmentation averages the logits of each image and its mirror image, on every backend.</summary>
public class TestTimeAugmentationTests
{
    private static readonly DataConfig Data = DatasetStatistics.ForImages(1, 8, [0.4f], [0.3f]);

    [Fact]
    public void The_loss_is_that_of_the_averaged_logits()
    {
        var dataset = SyntheticImages.Create(40, seed: 4);
        using var model = SyntheticImages.TinyModel(seed: 5);

        var flipped = Evaluator.Evaluate(model, dataset, Data, batchSize: 16, testTimeAugmentation: TestTimeAugmentation.HorizontalFlip);

        model.eval();
        using var _ = no_grad();
        var batch = new BatchLoader(dataset, dataset.Count, Data, Augmentation.None).Prepare(Enumerable.Range(0, dataset.Count).ToArray(), 0, 0);
        var (images, labels) = batch.ToTensors();
        using var mirrored = images.flip(3);
        using var averaged = (model.forward(images) + model.forward(mirrored)) / 2;
        using var loss = nn.functional.cross_entropy(averaged, labels);
        flipped.Loss.Should().BeApproximately(loss.item<float>(), 1e-5);

        var single = Evaluator.Evaluate(model, dataset, Data, batchSize: 16);
        single.Loss.Should().NotBe(flipped.Loss, "the mirror images change the logits of this untrained model");
    }

    [Fact]
    public void The_backend_interface_mirrors_the_host_pixels_the_same_way()
    {
        var dataset = SyntheticImages.Create(40, seed: 6);
        using var backend = new TorchSharpClassificationModel(SyntheticImages.TinyModel(seed: 7));

        var viaModule = Evaluator.Evaluate(backend.Model, dataset, Data, batchSize: 16, testTimeAugmentation: TestTimeAugmentation.HorizontalFlip);
        var viaBackend = Evaluator.Evaluate(backend, dataset, Data, batchSize: 16, testTimeAugmentation: TestTimeAugmentation.HorizontalFlip);

        viaBackend.Loss.Should().BeApproximately(viaModule.Loss, 1e-5);
        viaBackend.Correct.Should().Be(viaModule.Correct);
    }

    [Fact]
    public void Mirrored_pixels_reverse_every_row_of_every_channel()
    {
        var pixels = Enumerable.Range(0, 2 * 2 * 2 * 3).Select(i => (float)i).ToArray();
        var batch = new HostBatch(pixels, [0, 1], channels: 2, height: 2, width: 3);

        batch.MirroredPixels().Should().Equal(
            2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9,
            14, 13, 12, 17, 16, 15, 20, 19, 18, 23, 22, 21);
    }
}
