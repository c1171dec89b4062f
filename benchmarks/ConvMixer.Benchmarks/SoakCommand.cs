using System.Globalization;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Benchmarks;

/// <summary>
/// <c>soak [forwards] [image] [threads] [seconds]</c>: ConvMixer-768/32 in eval and inference mode.
/// Phase 1 runs <c>forwards</c> consecutive forwards on one thread, sampling live tensors (TorchSharp's
/// dispose-scope statistics) and the process's resident memory every 100; phase 2 runs <c>threads</c> threads
/// classifying concurrently with the one shared model for <c>seconds</c>, counting forwards and errors and
/// sampling memory. Smaller images than 224 keep it short; the code path (every layer, every op) is the same.
/// </summary>
internal static class SoakCommand
{
    public static int Run(string[] args)
    {
        var forwards = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var image = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
        var threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
        var seconds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 60;

        torch.manual_seed(0);
        using var model = new ConvMixer(ConvMixerPresets.ConvMixer768_32);
        model.eval();
        using var input = torch.randn(1, 3, image, image);

        // Phase 1: consecutive forwards on this thread.
        var samples = new List<object>();
        long liveAfterWarmUp = 0, rssAfterWarmUp = 0;
        for (var i = 1; i <= forwards; i++)
        {
            using (torch.inference_mode())
            using (var logits = model.forward(input))
            {
            }

            if (i % 100 == 0 || i == 10)
            {
                var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                var rss = ResidentBytes();
                if (i == 10)
                {
                    (liveAfterWarmUp, rssAfterWarmUp) = (live, rss);
                }

                samples.Add(new { forward = i, live_tensors = live, rss_mb = rss / 1048576.0 });
                Console.Error.WriteLine($"forward {i}: live tensors {live}, RSS {rss / 1048576.0:F1} MB");
            }
        }

        // Phase 2: concurrent classification with one shared model.
        var errors = 0;
        var done = 0L;
        var liveGrowth = new long[threads];
        var rssSamples = new List<double>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                using var own = torch.randn(1, 3, image, image);
                var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                while (!stop.IsCancellationRequested)
                {
                    using (torch.inference_mode())
                    using (var logits = model.forward(own))
                    using (var top = logits.argmax(1))
                    {
                        _ = top.ToInt64();
                    }

                    Interlocked.Increment(ref done);
                }

                liveGrowth[t] = DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref errors);
                Console.Error.WriteLine($"thread {t}: {e}");
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        while (!stop.IsCancellationRequested)
        {
            Thread.Sleep(5000);
            rssSamples.Add(ResidentBytes() / 1048576.0);
        }

        workers.ForEach(w => w.Join());

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            model = "convmixer_768_32",
            image,
            consecutive_forwards = forwards,
            live_tensors_after_10 = liveAfterWarmUp,
            live_tensors_at_end = DisposeScopeManager.Statistics.ThreadTotalLiveCount,
            rss_mb_after_10 = rssAfterWarmUp / 1048576.0,
            rss_mb_at_end = ResidentBytes() / 1048576.0,
            samples,
            concurrent_threads = threads,
            concurrent_seconds = seconds,
            concurrent_forwards = done,
            concurrent_errors = errors,
            concurrent_live_tensor_growth_per_thread = liveGrowth,
            concurrent_rss_mb_every_5s = rssSamples,
        }));
        return errors == 0 ? 0 : 1;
    }

    /// <summary>Resident set size from /proc (Linux), which includes libtorch's native allocations.</summary>
    private static long ResidentBytes()
    {
        var statm = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(statm[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }
}
