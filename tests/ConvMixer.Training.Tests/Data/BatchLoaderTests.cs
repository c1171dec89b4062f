using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class BatchLoaderTests
{
    [Fact]
    public void Every_image_appears_once_per_epoch_in_a_reproducible_shuffled_order()
    {
        var dataset = SyntheticImages.Create(count: 23, seed: 1);
        var loader = new BatchLoader(dataset, batchSize: 5, DatasetStatistics.Unnormalized(dataset), Augmentation.None, seed: 7);

        var first = loader.ShuffledOrder(epoch: 0);
        first.Should().BeEquivalentTo(Enumerable.Range(0, 23));
        first.Should().NotEqual(Enumerable.Range(0, 23), "the order is shuffled");
        loader.ShuffledOrder(epoch: 0).Should().Equal(first, "the order depends only on seed and epoch");
        loader.ShuffledOrder(epoch: 1).Should().NotEqual(first);

        var batches = loader.Batches(first, epoch: 0).ToList();
        batches.Select(b => b.Count).Should().Equal(5, 5, 5, 5, 3);
        batches.SelectMany(b => b.Labels).Should().Equal(first.Select(i => (long)dataset.LabelAt(i)));
    }

    [Fact]
    public void Normalization_is_applied_per_channel()
    {
        var dataset = InMemoryImageDataset.FromFloats([0.5f, 0.5f, 1f, 1f], [0], channels: 2, height: 1, width: 2, ["only"]);
        var loader = new BatchLoader(dataset, 1, new DataConfig { InChannels = 2, Mean = [0.5f, 0f], Std = [1f, 0.5f] }, Augmentation.None);

        loader.Batches(loader.SequentialOrder(), 0).Single().Pixels.Should().Equal(0f, 0f, 2f, 2f);
    }

    [Fact]
    public void Augmentation_crops_within_the_padding_and_flips_deterministically()
    {
        // One 1x3x3 image with distinct values; flipping only must give the image or its mirror.
        var image = new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var mirror = new float[] { 3, 2, 1, 6, 5, 4, 9, 8, 7 };
        var dataset = InMemoryImageDataset.FromFloats(Enumerable.Repeat(image, 40).SelectMany(x => x).ToArray(), new int[40], 1, 3, 3, ["x"]);
        var flipOnly = new BatchLoader(dataset, 40, DatasetStatistics.Unnormalized(dataset), new Augmentation(HorizontalFlip: true), seed: 3);

        var batch = flipOnly.Prepare(flipOnly.SequentialOrder(), epoch: 0, batchIndex: 0);
        var outputs = batch.Pixels.Chunk(9).ToList();
        outputs.Should().OnlyContain(o => o.SequenceEqual(image) || o.SequenceEqual(mirror));
        outputs.Count(o => o.SequenceEqual(mirror)).Should().BeInRange(8, 32, "about half are flipped");
        flipOnly.Prepare(flipOnly.SequentialOrder(), 0, 0).Pixels.Should().Equal(batch.Pixels, "the draws depend only on seed, epoch and batch");

        var cropOnly = new BatchLoader(dataset, 40, DatasetStatistics.Unnormalized(dataset), new Augmentation(CropPadding: 1), seed: 3);
        foreach (var crop in cropOnly.Prepare(cropOnly.SequentialOrder(), 0, 0).Pixels.Chunk(9))
        {
            // A shift by at most one pixel: the centre pixel comes from the 3x3 neighbourhood, and zeros fill the border.
            image.Should().Contain(crop[4]);
            crop.Count(v => v == 0).Should().BeOneOf(0, 3, 5);
        }
    }

    [Fact]
    public void Disposing_the_batches_waits_for_the_background_thread_which_then_reads_no_more()
    {
        var dataset = new GatedDataset(SyntheticImages.Create(count: 100, seed: 1), gateAt: 2);
        var loader = new BatchLoader(dataset, batchSize: 2, DatasetStatistics.Unnormalized(dataset), Augmentation.None, prefetchBatches: 1);
        var batches = loader.Batches(loader.SequentialOrder(), 0).GetEnumerator();
        batches.MoveNext().Should().BeTrue();

        // The producer is now reading image 2, the first of batch 1, and holds there until released.
        dataset.Entered.Wait(Guard).Should().BeTrue("the producer reads ahead");
        var disposer = new Thread(batches.Dispose);
        try
        {
            disposer.Start();
            // Dispose either returns at once (not waiting for the producer) or blocks until the producer ends.
            SpinWait.SpinUntil(() => !disposer.IsAlive || (disposer.ThreadState & ThreadState.WaitSleepJoin) != 0);
            disposer.IsAlive.Should().BeTrue("Dispose must wait for the producer, which is still reading an image");
        }
        finally
        {
            dataset.Release.Set();
        }

        disposer.Join(Guard).Should().BeTrue("the producer stops once released");

        dataset.ReadsInProgress.Should().Be(0, "the producer is gone when Dispose returns");
        dataset.ImagesRead.Should().BeInRange(3, 4, "once told to stop it may finish the batch it was preparing, but starts no other");
    }

    [Fact]
    public void Producer_errors_surface()
    {
        var dataset = SyntheticImages.Create(count: 100, seed: 1);
        var broken = new ThrowingDataset(dataset, failAt: 5);
        var brokenLoader = new BatchLoader(broken, batchSize: 2, DatasetStatistics.Unnormalized(broken), Augmentation.None);
        FluentActions.Invoking(() => brokenLoader.Batches(brokenLoader.SequentialOrder(), 0).ToList())
            .Should().Throw<InvalidOperationException>().WithMessage("*image 5 is unreadable*");
    }

    [Fact]
    public void Tensors_are_built_from_in_memory_tensors()
    {
        using var images = torch.arange(2 * 1 * 2 * 2, dtype: torch.ScalarType.Byte).reshape(2, 1, 2, 2);
        using var labels = torch.tensor(new long[] { 1, 0 });
        var dataset = InMemoryImageDataset.FromTensors(images, labels, ["a", "b"]);

        dataset.Count.Should().Be(2);
        dataset.LabelAt(0).Should().Be(1);
        using var floats = torch.ones(2, 1, 2, 2);
        FluentActions.Invoking(() => InMemoryImageDataset.FromTensors(floats, torch.tensor(new long[] { 0, 5 }), ["a", "b"]))
            .Should().Throw<ArgumentException>().WithMessage("*Label 5*");
    }

    // A failure guard only: the test synchronises on the signals, and a correct loader never comes near it.
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    /// <summary>Counts reads, and holds the read of one image until <see cref="Release"/> is set.</summary>
    private sealed class GatedDataset(ImageDataset inner, int gateAt) : ImageDataset
    {
        private int _started;
        private int _finished;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public int ImagesRead => Volatile.Read(ref _finished);

        public int ReadsInProgress => Volatile.Read(ref _started) - Volatile.Read(ref _finished);

        public override int Count => inner.Count;

        public override int Channels => inner.Channels;

        public override int Height => inner.Height;

        public override int Width => inner.Width;

        public override IReadOnlyList<string> ClassNames => inner.ClassNames;

        public override int LabelAt(int index) => inner.LabelAt(index);

        public override void CopyPixels(int index, Span<float> destination)
        {
            Interlocked.Increment(ref _started);
            if (index == gateAt)
            {
                Entered.Set();
                Release.Wait();
            }

            inner.CopyPixels(index, destination);
            Interlocked.Increment(ref _finished);
        }
    }

    private sealed class ThrowingDataset(ImageDataset inner, int failAt) : ImageDataset
    {
        public override int Count => inner.Count;

        public override int Channels => inner.Channels;

        public override int Height => inner.Height;

        public override int Width => inner.Width;

        public override IReadOnlyList<string> ClassNames => inner.ClassNames;

        public override int LabelAt(int index) => inner.LabelAt(index);

        public override void CopyPixels(int index, Span<float> destination)
        {
            if (index == failAt)
            {
                throw new IOException($"image {index} is unreadable");
            }

            inner.CopyPixels(index, destination);
        }
    }
}
