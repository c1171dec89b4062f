using System.Text.Json;
using ScottPlot;

/// <summary>Grouped bars of forward throughput (img/s) per model and batch: .NET (TorchSharp float32/bfloat16, ONNX Runtime float32/int8) and PyTorch.</summary>
internal static class ForwardChart
{
    public static void Write(string compareJson, string pngPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(compareJson));
        var throughput = new Dictionary<string, Dictionary<string, double>>();
        foreach (var row in document.RootElement.GetProperty("rows").EnumerateArray())
        {
            var id = row.GetProperty("case").GetString()!;
            if (!id.StartsWith("forward:", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = id.Split(':'); // forward:<preset>:<batch>:<dtype>
            var group = $"{ShortName(parts[1])}\nbatch {parts[2]}";
            foreach (var impl in new[] { "dotnet", "pytorch" })
            {
                if (row.TryGetProperty(impl, out var result))
                {
                    throughput.TryAdd(group, []);
                    throughput[group][$"{impl}:{parts[3]}"] = result.GetProperty("items_per_s").GetDouble();
                }
            }
        }

        (string Key, string Label, Color Color)[] series =
        [
            ("dotnet:fp32", ".NET float32", Colors.SteelBlue),
            ("dotnet:bf16", ".NET bfloat16", Colors.Navy),
            ("pytorch:fp32", "PyTorch float32", Colors.Orange),
            ("pytorch:bf16", "PyTorch bfloat16", Colors.DarkRed),
            ("dotnet:onnx-fp32", "ONNX Runtime float32", Colors.SeaGreen),
            ("dotnet:onnx-int8", "ONNX Runtime int8", Colors.DarkGreen),
        ];

        var plot = new Plot();
        var groups = throughput.Keys.ToList();
        var bars = new List<Bar>();
        for (var g = 0; g < groups.Count; g++)
        {
            for (var s = 0; s < series.Length; s++)
            {
                if (throughput[groups[g]].TryGetValue(series[s].Key, out var value))
                {
                    bars.Add(new Bar { Position = (g * (series.Length + 1)) + s, Value = value, FillColor = series[s].Color });
                }
            }
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            groups.Select((_, g) => (g * (series.Length + 1)) + ((series.Length - 1) / 2.0)).ToArray(),
            groups.ToArray());
        foreach (var (_, label, color) in series)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = color });
        }

        plot.Legend.Alignment = Alignment.UpperLeft;
        plot.Axes.Margins(bottom: 0);
        plot.Title("ConvMixer forward throughput at 224x224 (median, higher is better)");
        plot.YLabel("images / s");
        plot.SavePng(pngPath, 1400, 600);
    }

    private static string ShortName(string preset) => preset switch
    {
        "convmixer_1536_20" => "1536/20",
        "convmixer_768_32" => "768/32",
        "convmixer_1024_20_ks9_p14" => "1024/20",
        _ => preset,
    };
}
