using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Cli;

/// <summary><c>convmixer bench</c>: forward-pass throughput of a preset for a batch size and precision.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset", "-p")
        {
            Description = "The architecture: " + string.Join(", ", ConvMixerPresets.ByName.Keys) + ".",
            DefaultValueFactory = _ => "convmixer_768_32",
        };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Images per forward pass.", DefaultValueFactory = _ => 8 }.AtLeast(1);
        var precision = new Option<InferencePrecision>("--precision") { Description = "float32 or bfloat16.", DefaultValueFactory = _ => InferencePrecision.Float32 };
        var inputSize = new Option<int>("--input-size") { Description = "Image side.", DefaultValueFactory = _ => 224 }.AtLeast(1);
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed forward passes.", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var warmup = new Option<int>("--warmup") { Description = "Untimed forward passes first.", DefaultValueFactory = _ => 2 }.AtLeast(0);
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." }.AtLeast(1);
        var json = new Option<bool>("--json") { Description = "Write the measurements as JSON." };

        var command = new Command("bench", "Measure forward-pass throughput (randomly initialised weights; speed does not depend on their values).")
        {
            preset, batch, precision, inputSize, iterations, warmup, threads, json,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(preset), parse.GetValue(batch), parse.GetValue(precision), parse.GetValue(inputSize),
            parse.GetValue(iterations), parse.GetValue(warmup), parse.GetValue(threads), parse.GetValue(json)));
        return command;
    }

    private static int Run(string presetName, int batch, InferencePrecision precision, int inputSize, int iterations, int warmup, int? threads, bool json)
    {
        var config = ModelSource.Preset(presetName);
        if (inputSize < config.PatchSize)
        {
            throw new UsageException($"--input-size {inputSize} is smaller than the patch size of {presetName} ({config.PatchSize}).");
        }

        MemoryEstimate.Require(MemoryEstimate.Inference(config, batch, inputSize, precision == InferencePrecision.BFloat16 ? 2 : 4), $"{presetName} at --batch-size {batch} and --input-size {inputSize}", "--batch-size or --input-size");

        var dtype = Runtime.CpuDType(precision);
        Runtime.ApplyThreads(threads);

        using var model = new ConvMixer(config, dtype: dtype);
        model.eval();
        using var input = torch.randn([batch, config.InChannels, inputSize, inputSize], dtype: dtype);
        using var noGrad = torch.no_grad();
        for (var i = 0; i < warmup; i++)
        {
            using var _ = model.forward(input);
        }

        var seconds = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            using var _ = model.forward(input);
            seconds[i] = clock.Elapsed.TotalSeconds;
        }

        Array.Sort(seconds);
        var median = iterations % 2 == 1 ? seconds[iterations / 2] : (seconds[(iterations / 2) - 1] + seconds[iterations / 2]) / 2;
        var imagesPerSecond = batch / median;
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                preset = presetName,
                batch_size = batch,
                precision = precision.ToString().ToLowerInvariant(),
                input_size = inputSize,
                threads = torch.get_num_threads(),
                iterations,
                median_seconds = median,
                min_seconds = seconds[0],
                max_seconds = seconds[^1],
                images_per_second = imagesPerSecond,
            }, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        }

        var table = new Table().Title($"[bold]{Markup.Escape(presetName)}[/], batch {batch}, {precision}, {inputSize}x{inputSize}, {torch.get_num_threads()} threads")
            .AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("Forward passes timed", iterations.ToString(CultureInfo.InvariantCulture));
        table.AddRow("Median per batch", $"{(median * 1000).ToString("F1", CultureInfo.InvariantCulture)} ms");
        table.AddRow("Fastest / slowest", $"{(seconds[0] * 1000).ToString("F1", CultureInfo.InvariantCulture)} / {(seconds[^1] * 1000).ToString("F1", CultureInfo.InvariantCulture)} ms");
        table.AddRow("Throughput (median)", $"{imagesPerSecond.ToString("F2", CultureInfo.InvariantCulture)} images/s");
        Terminal.Out.Write(table);
        return ExitCodes.Success;
    }
}
