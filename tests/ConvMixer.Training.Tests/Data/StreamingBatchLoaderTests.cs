using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>The streaming image-folder loader: a bounded queue, the same batches for any worker count, unreadable files skipped and listed.</summary>
public class StreamingBatchLoaderTests
{
    private static readonly string[] Classes = ["a", "b", "c"];

    [Fact]
    public void Batches_depend_on_seed_and_epoch_but_not_on_the_worker_count()
    {
        var files = Files(50);
        float[][] Run(int workers, long seed, int epoch)
        {
            var loader = new StreamingBatchLoader(files, Classes, new FakeReader(), batchSize: 8, seed, new RandomErasing(0.5), workers, queueBatches: 2);
            return loader.Batches(loader.ShuffledOrder(epoch), epoch).Select(b => b.Pixels.Concat(b.Labels.Select(l => (float)l)).ToArray()).ToArray();
        }

        var one = Run(1, seed: 3, epoch: 0);
        one.Should().HaveCount(7);
        var three = Run(3, seed: 3, epoch: 0);
        for (var b = 0; b < one.Length; b++)
        {
            three[b].Should().Equal(one[b], $"batch {b} is the same with 1 and 3 workers");
        }

        Run(2, seed: 4, epoch: 0)[0].Should().NotEqual(one[0], "another seed shuffles and augments differently");
        Run(2, seed: 3, epoch: 1)[0].Should().NotEqual(one[0], "another epoch shuffles and augments differently");
    }

    [Fact]
    public void No_more_batches_are_prepared_than_the_queue_holds()
    {
        const int batchSize = 4, queue = 2, workers = 3, total = 80;
        var reader = new FakeReader();
        var loader = new StreamingBatchLoader(Files(total), Classes, reader, batchSize, seed: 1, workers: workers, queueBatches: queue);
        using var batches = loader.Batches(loader.SequentialOrder(), 0).GetEnumerator();
        batches.MoveNext().Should().BeTrue();

        // Hold the first batch until the workers stop: all waiting for room (bounded) or everything read (unbounded).
        var limit = batchSize * (1 + queue);
        SpinWait.SpinUntil(() => (loader.BlockedWorkers == workers && reader.Reads == limit) || reader.Reads == total, TimeSpan.FromMinutes(1)).Should().BeTrue();
        reader.Reads.Should().Be(limit, "the batch handed out plus the queue's two are all that may be read ahead");

        var rest = 0;
        while (batches.MoveNext())
        {
            rest++;
        }

        rest.Should().Be((total / batchSize) - 1);
        loader.PeakHeldBatches.Should().BeLessThanOrEqualTo(queue);
    }

    [Fact]
    public void Unreadable_files_are_left_out_and_listed_with_the_reason()
    {
        var files = Files(20);
        var loader = new StreamingBatchLoader(files, Classes, new FakeReader(failing: p => p.EndsWith("3.png", StringComparison.Ordinal)), batchSize: 6, workers: 2);
        var batches = loader.Batches(loader.SequentialOrder(), 0).ToArray();
        batches.Sum(b => b.Count).Should().Be(18, "img3 and img13 cannot be read");
        batches.SelectMany(b => b.Labels).Should().Equal(files.Where(f => !f.Path.EndsWith("3.png", StringComparison.Ordinal)).Select(f => (long)f.Label));
        loader.Skipped.Select(s => s.Path).Should().Equal("img13.png", "img3.png");
        loader.Skipped.Should().OnlyContain(s => s.Reason.Contains("not an image", StringComparison.Ordinal));
    }

    [Fact]
    public void Stopping_early_ends_the_workers()
    {
        var loader = new StreamingBatchLoader(Files(100), Classes, new FakeReader(), batchSize: 2, workers: 2);
        loader.Batches(loader.SequentialOrder(), 0).Take(3).Should().HaveCount(3);
        loader.Batches(loader.SequentialOrder(), 0).Should().HaveCount(50, "a second pass starts afresh");
    }

    private static (string Path, int Label)[] Files(int count) => Enumerable.Range(0, count).Select(i => ($"img{i}.png", i % 3)).ToArray();

    /// <summary>A stand-in for decoding: a 1x2x2 image from the file name and one random draw, so the content shows which file and which draws made it.</summary>
    private sealed class FakeReader(Func<string, bool>? failing = null) : ITrainingImageReader
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public IReadOnlySet<string> FileExtensions { get; } = new HashSet<string> { ".png" };

        public int Channels => 1;

        public int Side => 2;

        public void Read(string path, Random random, Span<float> destination)
        {
            Interlocked.Increment(ref _reads);
            if (failing?.Invoke(path) == true)
            {
                throw new IOException($"{path}: not an image the decoder can read");
            }

            var id = int.Parse(path.AsSpan(3, path.Length - 7), System.Globalization.CultureInfo.InvariantCulture);
            destination.Fill(id);
            destination[0] += (float)random.NextDouble();
        }
    }
}
