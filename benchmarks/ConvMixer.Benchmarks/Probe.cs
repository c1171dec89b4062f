using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Benchmarks;

/// <summary>
/// Quick paired A/B timing: runs several variants of one forward in round-robin within one process, so that
/// load from other processes hits all of them alike; prints the median and minimum of each.
/// </summary>
internal static class Probe
{
    // probe <preset> <image> <batch> <threads> <reps> <variant>... ; variant = f32|bf16 : nchw|nhwc : nograd|inference
    public static int Run(string[] args)
    {
        var config = ConvMixerPresets.ByName[args[0]];
        var image = int.Parse(args[1]);
        var batch = int.Parse(args[2]);
        torch.set_num_threads(int.Parse(args[3]));
        var reps = int.Parse(args[4]);
        var variants = args[5..];

        torch.manual_seed(0);
        using var model32 = new ConvMixer(config);
        model32.eval();
        using var model16 = new ConvMixer(config);
        model16.load_state_dict(model32.state_dict());
        model16.eval();
        model16.to(ScalarType.BFloat16);
        using var input = torch.randn(batch, 3, image, image);

        var times = variants.ToDictionary(v => v, _ => new List<double>());
        var cpuTimes = variants.ToDictionary(v => v, _ => new List<double>());
        var process = Process.GetCurrentProcess();
        for (var i = 0; i < reps + 1; i++)
        {
            foreach (var v in variants)
            {
                var parts = v.Split(':');
                var bf16 = parts[0] == "bf16";
                using var typed = input.to(bf16 ? ScalarType.BFloat16 : ScalarType.Float32);
                using var x = parts[1] == "nhwc" ? typed.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : typed.alias();
                using IDisposable mode = parts[2] == "inference" ? torch.inference_mode() : torch.no_grad();
                process.Refresh();
                var cpu0 = process.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                using var y = (bf16 ? model16 : model32).forward(x);
                sw.Stop();
                process.Refresh();
                if (i > 0)
                {
                    times[v].Add(sw.Elapsed.TotalMilliseconds);
                    cpuTimes[v].Add((process.TotalProcessorTime - cpu0).TotalMilliseconds);
                }
            }
        }

        foreach (var (v, t) in times)
        {
            t.Sort();
            var c = cpuTimes[v];
            c.Sort();
            Console.WriteLine($"{args[0]} {image}px b{batch} {v,-20} wall median {t[t.Count / 2],8:F1} ms  min {t[0],8:F1} ms  {batch * 1000.0 / t[t.Count / 2]:F2} img/s | cpu median {c[c.Count / 2],8:F1} ms min {c[0],8:F1}");
        }

        return 0;
    }
}
