// Times SaveCheckpoint and FromCheckpoint of ConvMixer-1536/20 (51.6 M parameters) in each format, 3 runs, medians.
using System.Diagnostics;
using ConvMixerNet.Core;

var folder = Path.Combine(Path.GetTempPath(), "convmixer-timing-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
try
{
    using var model = ConvMixerModels.convmixer_1536_20();
    foreach (var name in new[] { "model.safetensors", "model.pth", "model.dat" })
    {
        var path = Path.Combine(folder, name);
        var saves = new List<double>();
        var loads = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            model.SaveCheckpoint(path);
            saves.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            using (var loaded = ConvMixer.FromCheckpoint(path))
            {
                loads.Add(clock.Elapsed.TotalSeconds);
            }
        }

        Console.WriteLine($"{name,-18} {new FileInfo(path).Length / 1e6,6:F1} MB  save median {Median(saves):F2} s  FromCheckpoint median {Median(loads):F2} s");
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
