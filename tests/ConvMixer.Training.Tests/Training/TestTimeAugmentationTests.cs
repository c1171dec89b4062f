using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Training.Tests;

/// <summary>Test-time augmentation averages the logits of each image's views (mirrored, shifted), on every backend.</summary>
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
        var (images, labels) = AllAsOneBatch(dataset);
        using var mirrored = images.flip(3);
        using var averaged = (model.forward(images) + model.forward(mirrored)) / 2;
        using var loss = nn.functional.cross_entropy(averaged, labels);
        flipped.Loss.Should().BeApproximately(loss.item<float>(), 1e-5);

        var single = Evaluator.Evaluate(model, dataset, Data, batchSize: 16);
        single.Loss.Should().NotBe(flipped.Loss, "the mirror images change the logits of this untrained model");
    }

    [Fact]
    public void Eighteen_views_average_the_logits_of_the_image_moved_by_one_pixel_each_way_and_mirrored()
    {
        var dataset = SyntheticImages.Create(40, seed: 8);
        using var model = SyntheticImages.TinyModel(seed: 9);

        var augmented = Evaluator.Evaluate(model, dataset, Data, batchSize: 16, testTimeAugmentation: TestTimeAugmentation.HorizontalFlipAndShifts);

        model.eval();
        using var _ = no_grad();
        var (images, labels) = AllAsOneBatch(dataset);
        // A black border (0 before normalisation), as the training's crop padding adds.
        using var padded = nn.functional.pad(images, [1, 1, 1, 1], value: -0.4 / 0.3);
        using var sum = zeros(dataset.Count, SyntheticImages.Classes.Length);
        for (var down = -1; down <= 1; down++)
        {
            for (var right = -1; right <= 1; right++)
            {
                using var view = padded[.., .., (1 - down)..(1 - down + 8), (1 - right)..(1 - right + 8)];
                sum.add_(model.forward(view)).add_(model.forward(view.flip(3)));
            }
        }

        using var loss = nn.functional.cross_entropy(sum / 18, labels);
        augmented.Loss.Should().BeApproximately(loss.item<float>(), 1e-5);
        var flipped = Evaluator.Evaluate(model, dataset, Data, batchSize: 16, testTimeAugmentation: TestTimeAugmentation.HorizontalFlip);
        augmented.Loss.Should().NotBe(flipped.Loss, "the shifted views change the logits of this untrained model");
    }

    [Theory]
    [InlineData(TestTimeAugmentation.HorizontalFlip)]
    [InlineData(TestTimeAugmentation.HorizontalFlipAndShifts)]
    public void The_backend_interface_makes_the_same_views_from_the_host_pixels(TestTimeAugmentation augmentation)
    {
        var dataset = SyntheticImages.Create(40, seed: 6);
        using var backend = new TorchSharpClassificationModel(SyntheticImages.TinyModel(seed: 7));

        var viaModule = Evaluator.Evaluate(backend.Model, dataset, Data, batchSize: 16, testTimeAugmentation: augmentation);
        var viaBackend = Evaluator.Evaluate(backend, dataset, Data, batchSize: 16, testTimeAugmentation: augmentation);

        viaBackend.Loss.Should().BeApproximately(viaModule.Loss, 1e-5);
        viaBackend.Correct.Should().Be(viaModule.Correct);
    }

    [Fact]
    public void A_model_whose_outputs_are_not_the_data_sets_classes_is_refused_by_name_and_keeps_its_mode()
    {
        var dataset = SyntheticImages.Create(8, seed: 6);
        using var model = new ConvMixer(new ConvMixerConfig(8, 1, 3, 2, NumClasses: 3, InChannels: 1));
        model.train();

        FluentActions.Invoking(() => Evaluator.Evaluate(model, dataset, Data))
            .Should().Throw<ArgumentException>().WithMessage("The model returns logits of shape [8, 3], but the data set has 4 classes: reset the classifier to 4 outputs.*");
        model.training.Should().BeTrue("evaluation restores the training mode even when it fails");
        using var backend = new TorchSharpClassificationModel(new ConvMixer(new ConvMixerConfig(8, 1, 3, 2, NumClasses: 3, InChannels: 1)));
        FluentActions.Invoking(() => Evaluator.Evaluate(backend, dataset, Data))
            .Should().Throw<ArgumentException>().WithMessage("The model has 3 outputs, but the data set has 4 classes.*");
    }

    [Fact]
    public void Training_takes_all_18_views_after_the_last_epoch_only_and_the_flip_before()
    {
        var train = SyntheticImages.Create(64, seed: 10);
        var validation = SyntheticImages.Create(24, seed: 11);
        TrainingResult Fit(TestTimeAugmentation augmentation, out ConvMixer model)
        {
            model = SyntheticImages.TinyModel(seed: 12);
            using var trainer = new Trainer(model, new TrainerOptions { Epochs = 2, BatchSize = 16, Data = Data, EvaluationAugmentation = augmentation });
            return trainer.Fit(train, validation);
        }

        var shifted = Fit(TestTimeAugmentation.HorizontalFlipAndShifts, out var model);
        var flipped = Fit(TestTimeAugmentation.HorizontalFlip, out var twin);
        using (model)
        using (twin)
        {
            shifted.History[0].ValidationLoss.Should().Be(flipped.History[0].ValidationLoss, "the first of two epochs is evaluated with the flip only");
            shifted.History[1].ValidationLoss.Should().NotBe(flipped.History[1].ValidationLoss);
            var expected = Evaluator.Evaluate(model, validation, Data, batchSize: 16, testTimeAugmentation: TestTimeAugmentation.HorizontalFlipAndShifts);
            shifted.FinalEvaluation!.Loss.Should().BeApproximately(expected.Loss, 1e-5);
        }
    }

    // The whole data set, normalised as the evaluator does it, in one batch.
    private static (Tensor Images, Tensor Labels) AllAsOneBatch(ImageDataset dataset) =>
        new BatchLoader(dataset, dataset.Count, Data, Augmentation.None).Prepare(Enumerable.Range(0, dataset.Count).ToArray(), 0, 0).ToTensors();

    [Fact]
    public void Mirrored_pixels_reverse_every_row_of_every_channel()
    {
        var pixels = Enumerable.Range(0, 2 * 2 * 2 * 3).Select(i => (float)i).ToArray();
        var batch = new HostBatch(pixels, [0, 1], channels: 2, height: 2, width: 3);

        batch.MirroredPixels().Should().Equal(
            2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9,
            14, 13, 12, 17, 16, 15, 20, 19, 18, 23, 22, 21);
    }

    [Fact]
    public void Shifted_pixels_move_every_plane_and_fill_the_uncovered_border_with_the_channels_value()
    {
        var pixels = Enumerable.Range(0, 2 * 2 * 2 * 3).Select(i => (float)i).ToArray();
        var batch = new HostBatch(pixels, [0, 1], channels: 2, height: 2, width: 3);

        // One row down, one column left.
        batch.ShiftedPixels(1, -1, [-1f, -2f]).Should().Equal(
            -1, -1, -1, 1, 2, -1, -2, -2, -2, 7, 8, -2,
            -1, -1, -1, 13, 14, -1, -2, -2, -2, 19, 20, -2);
        batch.ShiftedPixels(0, 0, [0f, 0f]).Should().Equal(pixels);
        var act = () => batch.ShiftedPixels(1, 0, [0f]);
        act.Should().Throw<ArgumentException>().WithMessage("*per channel*(2)*not 1*");
    }
}
