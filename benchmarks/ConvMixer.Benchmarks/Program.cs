using BenchmarkDotNet.Running;
using ConvMixerNet.Benchmarks;

// bdn [BenchmarkDotNet options]   the BenchmarkDotNet suite (e.g. bdn --filter '*Forward*')
// measure <case-id> [reps] [warmups] [threads]   one case, JSON line (used by compare.py next to the PyTorch script)
// probe ...                        paired A/B timing of forward variants
return args.FirstOrDefault() switch
{
    "bdn" => RunBenchmarkDotNet(args[1..]),
    "measure" => MeasureCommand.Run(args[1..]),
    "probe" => Probe.Run(args[1..]),
    _ => Usage(),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(ForwardBenchmarks).Assembly).Run(args);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("Usage: ConvMixer.Benchmarks bdn [BenchmarkDotNet options] | measure <case-id> [reps] [warmups] [threads] | probe ...");
    return 2;
}
