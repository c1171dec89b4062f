using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ConvMixerNet.Benchmarks;

/// <summary>
/// A short job for macro benchmarks on a small shared machine: each iteration is one forward (or training step)
/// taking from tens of milliseconds to seconds, so one warm-up and a few measured iterations give a usable median
/// without the default job's minutes per case. In-process, so the native libtorch is loaded once.
/// </summary>
internal sealed class ShortMacroConfig : ManualConfig
{
    public ShortMacroConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("ShortMacro"));
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        SummaryStyle = SummaryStyle.Default.WithTimeUnit(Perfolizer.Horology.TimeUnit.Millisecond);
        Options |= ConfigOptions.DisableLogFile;
    }
}
