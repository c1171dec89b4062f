using ConvMixerNet.Cli;
using ConvMixerNet.Core;

// Process-wide allocator and kernel settings that make libtorch faster; CONVMIXER_CPU_TUNING=off skips them.
CpuTuning.Apply();
return CommandLineApp.Run(args);
