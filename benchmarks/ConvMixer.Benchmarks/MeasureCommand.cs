using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;

namespace ConvMixerNet.Benchmarks;

/// <summary>
/// <c>measure &lt;case-id&gt; [reps] [warmups] [threads]</c>: times one case with the same protocol as the PyTorch script
/// (warm-up runs, then timed runs; wall-clock and process CPU time of each) and prints one JSON line.
/// </summary>
internal static class MeasureCommand
{
    public static int Run(string[] args)
    {
        var benchmarkCase = BenchmarkCase.Parse(args[0]);
        var reps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var warmups = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        if (args.Length > 3)
        {
            torch.set_num_threads(int.Parse(args[3], CultureInfo.InvariantCulture));
        }

        using var runner = new CaseRunner(benchmarkCase);
        for (var i = 0; i < warmups; i++)
        {
            runner.RunOnce();
        }

        var process = Process.GetCurrentProcess();
        var wall = new List<double>();
        var cpu = new List<double>();
        for (var i = 0; i < reps; i++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var stopwatch = Stopwatch.StartNew();
            runner.RunOnce();
            stopwatch.Stop();
            process.Refresh();
            wall.Add(stopwatch.Elapsed.TotalSeconds);
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            impl = "dotnet",
            version = benchmarkCase.OnnxRuntime
                ? $"ONNX Runtime {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version}"
                : $"TorchSharp {typeof(torch).Assembly.GetName().Version} / libtorch {torch.__version__}",
            @case = benchmarkCase.Id,
            threads = torch.get_num_threads(),
            items = benchmarkCase.Items,
            flops = benchmarkCase.Flops,
            wall_s = wall,
            cpu_s = cpu,
        }));
        return 0;
    }
}
