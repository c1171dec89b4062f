using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>The trainer on a streamed image folder of PNG files with timm's transforms: resumed exactly, whatever the worker count.</summary>
public class StreamingTrainingTests
{
    private static readonly DataConfig Data = DatasetStatistics.ForImages(1, 8, [0.5f], [0.25f]);

    private static readonly TrainerOptions Options = new()
    {
        Epochs = 2,
        BatchSize = 16,
        LearningRate = 0.02,
        LabelSmoothing = 0.1,
        Seed = 5,
        Data = Data,
        RandomErasing = new RandomErasing(Probability: 0.25),
        ImageFolder = new ImageFolderTrainingOptions { AutoAugment = "rand-m9-mstd0.5-inc1", Streaming = true },
    };

    [Fact]
    public void A_resumed_streaming_run_equals_an_uninterrupted_one_with_another_worker_count()
    {
        using var dir = new TemporaryDirectory();
        var (files, classes) = WritePhotos(Path.Combine(dir.Path, "photos"), count: 40);
        var transform = new TrainingTransform(Data, new RandomResizedCrop(8), RandAugment: RandAugment.Parse("rand-m9-mstd0.5-inc1"));
        StreamingImageDataset Folder(int workers) => new(files, classes, new TrainingImageReader(transform), workers);

        using var straight = SyntheticImages.TinyModel(seed: 3);
        var initial = straight.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        using (var trainer = new Trainer(straight, Options))
        {
            trainer.Fit(Folder(workers: 1));
        }

        var interrupted = Path.Combine(dir.Path, "run");
        using var resumed = SyntheticImages.TinyModel(seed: 4);
        resumed.load_state_dict(initial);
        using (var trainer = new Trainer(resumed, Options with { OutputDirectory = interrupted }))
        {
            using var cancel = new CancellationTokenSource();
            var stopAfterEpochOne = new InlineProgress<TrainingProgress>(p =>
            {
                if (p.Phase == TrainingPhase.EpochCompleted)
                {
                    cancel.Cancel();
                }
            });
            FluentActions.Invoking(() => trainer.Fit(Folder(workers: 3), progress: stopAfterEpochOne, cancellationToken: cancel.Token)).Should().Throw<OperationCanceledException>();
        }

        TorchSharp.torch.random.manual_seed(99); // a resume restores the random state itself
        using (var trainer = new Trainer(resumed, Options with { OutputDirectory = interrupted }))
        {
            trainer.Resume(Path.Combine(interrupted, TrainingCheckpoint.FileName)).Options.ImageFolder.Should().Be(Options.ImageFolder);
            trainer.Fit(Folder(workers: 2));
        }

        var expected = straight.state_dict();
        foreach (var (name, value) in resumed.state_dict())
        {
            value.allclose(expected[name], rtol: 1e-5, atol: 1e-6).Should().BeTrue($"{name} should match after resume");
        }

        foreach (var tensor in initial.Values)
        {
            tensor.Dispose();
        }
    }

    [Fact]
    public void The_transforms_are_recorded_by_timms_names()
    {
        var values = Options.Hyperparameters();

        values["random_resized_crop"].Should().Be("size=8 scale=(0.08, 1) ratio=(0.75, 1.3333333333333333) interpolation=random");
        values["random_horizontal_flip"].Should().Be("p=0.5");
        values["hflip"].Should().Be("0.5", "timm's argument name holds the flip probability of photos");
        values.Should().NotContainKey("crop_padding", "the pixels path's padded crop does not apply to photos");
        values["rand_augment"].Should().Be("rand-m9-mstd0.5-inc1");
        values.Should().NotContainKey("color_jitter", "timm turns colour jitter off when RandAugment is set");
        values["random_erasing"].Should().Be("p=0.25 mode=pixel count=1");
        values["data_loader"].Should().Be("streaming");
        (Options with { ImageFolder = new ImageFolderTrainingOptions() }).Hyperparameters()["color_jitter"].Should().Be("brightness=0.4 contrast=0.4 saturation=0.4 hue=0");
    }

    private static ((string Path, int Label)[] Files, string[] Classes) WritePhotos(string root, int count)
    {
        var (pixels, labels) = QuadrantImages.Generate(count, seed: 2, size: 12);
        var files = new (string, int)[count];
        for (var i = 0; i < count; i++)
        {
            var folder = Path.Combine(root, SyntheticImages.Classes[labels[i]]);
            Directory.CreateDirectory(folder);
            var rgb = pixels.AsSpan(i * 144, 144).ToArray().SelectMany(v => new[] { v, v, v }).ToArray();
            var path = Path.Combine(folder, $"{i:D3}.png");
            File.WriteAllBytes(path, ImageEncoder.EncodePng(new RgbImage(12, 12, rgb)));
            files[i] = (path, labels[i]);
        }

        return (files, SyntheticImages.Classes);
    }
}
