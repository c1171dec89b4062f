using BenchmarkDotNet.Running;
using ConvMixerNet.Benchmarks;

// bdn [BenchmarkDotNet options]   the BenchmarkDotNet suite (e.g. bdn --filter '*Forward*')
// measure <case-id> [reps] [warmups] [threads]   one case, JSON line (used by compare.py next to the PyTorch script)
// bf16-agreement <fashion-mnist-folder> [train-images] [epochs]   fp32 vs bf16 top-1 on the real test set
// int8-agreement <fashion-mnist-folder> [train-images] [epochs] [calibration-images]   ONNX Runtime fp32 vs int8 top-1
// onnx-samples <folder>   small exported models (every export path, and int8) for tools/onnx/check_model.py
// soak [forwards] [image] [threads] [seconds]   leak check under load (live tensors, RSS)
// probe ...                        paired A/B timing of forward variants
// Allocator and kernel settings as the CLI applies them; CONVMIXER_CPU_TUNING=off measures libtorch's defaults.
Console.Error.WriteLine($"CPU tuning: {ConvMixerNet.Core.CpuTuning.Apply()}");
return args.FirstOrDefault() switch
{
    "bdn" => RunBenchmarkDotNet(args[1..]),
    "measure" => MeasureCommand.Run(args[1..]),
    "probe" => Probe.Run(args[1..]),
    "bf16-agreement" => Bf16AgreementCommand.Run(args[1..]),
    "int8-agreement" => Int8AgreementCommand.Run(args[1..]),
    "soak" => SoakCommand.Run(args[1..]),
    "onnx-samples" => OnnxSamplesCommand.Run(args[1..]),
    _ => Usage(),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(ForwardBenchmarks).Assembly).Run(args);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("Usage: ConvMixer.Benchmarks bdn [BenchmarkDotNet options] | measure <case-id> [reps] [warmups] [threads] | bf16-agreement <folder> | int8-agreement <folder> | onnx-samples <folder> | soak | probe ...");
    return 2;
}
