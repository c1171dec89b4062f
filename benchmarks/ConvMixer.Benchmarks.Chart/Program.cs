// Charts for the documentation:
//   ConvMixer.Benchmarks.Chart forward <compare.json> <out.png>
//   ConvMixer.Benchmarks.Chart training <out.png> <label>=<metrics.csv> [<label>=<metrics.csv> ...]
const string Usage = """
    Usage:
      ConvMixer.Benchmarks.Chart forward <compare.json> <out.png>
      ConvMixer.Benchmarks.Chart training <out.png> <label>=<metrics.csv> [<label>=<metrics.csv> ...]
    """;

switch (args)
{
    case ["forward", var json, var png]:
        ForwardChart.Write(json, png);
        break;
    case ["training", var png, .. var runs] when runs.Length > 0 && runs.All(r => r.Contains('=')):
        TrainingChart.Write(runs.Select(r => (r[..r.IndexOf('=')], r[(r.IndexOf('=') + 1)..])).ToList(), png);
        break;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

Console.WriteLine($"wrote {args[args[0] == "forward" ? 2 : 1]}");
return 0;
