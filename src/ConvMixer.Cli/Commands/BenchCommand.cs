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
        var backend = new Option<string>("--backend") { Description = "torchsharp, or onnxruntime (the model is exported to ONNX first).", DefaultValueFactory = _ => "torchsharp" };
        backend.AcceptOnlyFromAmong("torchsharp", "onnxruntime");
        var precision = new Option<string>("--precision")
        {
            Description = "float32; bfloat16 (TorchSharp only); int8 (ONNX Runtime only, quantized with random calibration inputs: speed does not depend on the values).",
            DefaultValueFactory = _ => "float32",
        };
        precision.AcceptOnlyFromAmong("float32", "bfloat16", "int8");
        var inputSize = new Option<int>("--input-size") { Description = "Image side.", DefaultValueFactory = _ => 224 }.AtLeast(1);
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed forward passes.", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var warmup = new Option<int>("--warmup") { Description = "Untimed forward passes first.", DefaultValueFactory = _ => 2 }.AtLeast(0);
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice)." }.AtLeast(1);
        var json = new Option<bool>("--json") { Description = "Write the measurements as JSON." };

        var command = new Command("bench", "Measure forward-pass throughput (randomly initialised weights; speed does not depend on their values).")
        {
            preset, backend, batch, precision, inputSize, iterations, warmup, threads, json,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(preset), parse.GetValue(backend) == "onnxruntime", parse.GetValue(batch), parse.GetValue(precision)!, parse.GetValue(inputSize),
            parse.GetValue(iterations), parse.GetValue(warmup), parse.GetValue(threads), parse.GetValue(json)));
        return command;
    }

    private static int Run(string presetName, bool onnxRuntime, int batch, string precisionName, int inputSize, int iterations, int warmup, int? threads, bool json)
    {
        if (precisionName == "int8" && !onnxRuntime)
        {
            throw new UsageException("--precision int8 runs on ONNX Runtime: add --backend onnxruntime.");
        }

        if (precisionName == "bfloat16" && onnxRuntime)
        {
            throw new UsageException("--precision bfloat16 runs on TorchSharp; ONNX Runtime runs float32 or int8.");
        }

        var precision = precisionName == "bfloat16" ? InferencePrecision.BFloat16 : InferencePrecision.Float32;
        var config = ModelSource.Preset(presetName);
        if (inputSize < config.PatchSize)
        {
            throw new UsageException($"--input-size {inputSize} is smaller than the patch size of {presetName} ({config.PatchSize}).");
        }

        MemoryEstimate.Require(MemoryEstimate.Inference(config, batch, inputSize, precision == InferencePrecision.BFloat16 ? 2 : 4), $"{presetName} at --batch-size {batch} and --input-size {inputSize}", "--batch-size or --input-size");

        var dtype = Runtime.CpuDType(precision);
        Runtime.ApplyThreads(threads);
        var seconds = onnxRuntime
            ? TimeOnnxRuntime(config, batch, inputSize, precisionName == "int8", iterations, warmup, threads)
            : TimeTorchSharp(config, dtype, batch, inputSize, iterations, warmup);
        var backendName = onnxRuntime ? "ONNX Runtime" : "TorchSharp";
        var threadCount = onnxRuntime && threads is null ? Environment.ProcessorCount : torch.get_num_threads();

        Array.Sort(seconds);
        var median = iterations % 2 == 1 ? seconds[iterations / 2] : (seconds[(iterations / 2) - 1] + seconds[iterations / 2]) / 2;
        var imagesPerSecond = batch / median;
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                preset = presetName,
                backend = onnxRuntime ? "onnxruntime" : "torchsharp",
                batch_size = batch,
                precision = precisionName,
                input_size = inputSize,
                threads = threadCount,
                iterations,
                median_seconds = median,
                min_seconds = seconds[0],
                max_seconds = seconds[^1],
                images_per_second = imagesPerSecond,
            }, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        }

        var table = new Table().Title($"[bold]{Markup.Escape(presetName)}[/] on {backendName}, batch {batch}, {precisionName}, {inputSize}x{inputSize}, {threadCount} threads")
            .AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("Forward passes timed", iterations.ToString(CultureInfo.InvariantCulture));
        table.AddRow("Median per batch", $"{(median * 1000).ToString("F1", CultureInfo.InvariantCulture)} ms");
        table.AddRow("Fastest / slowest", $"{(seconds[0] * 1000).ToString("F1", CultureInfo.InvariantCulture)} / {(seconds[^1] * 1000).ToString("F1", CultureInfo.InvariantCulture)} ms");
        table.AddRow("Throughput (median)", $"{imagesPerSecond.ToString("F2", CultureInfo.InvariantCulture)} images/s");
        Terminal.Out.Write(table);
        return ExitCodes.Success;
    }

    private static double[] TimeTorchSharp(ConvMixerConfig config, ScalarType dtype, int batch, int inputSize, int iterations, int warmup)
    {
        using var model = new ConvMixer(config, dtype: dtype);
        model.eval();
        using var input = torch.randn([batch, config.InChannels, inputSize, inputSize], dtype: dtype);
        using var noGrad = torch.no_grad();
        return Time(iterations, warmup, () =>
        {
            using var _ = model.forward(input);
        });
    }

    // The preset exported to a temporary ONNX file (and quantized with random calibration inputs for int8), then timed.
    private static double[] TimeOnnxRuntime(ConvMixerConfig config, int batch, int inputSize, bool int8, int iterations, int warmup, int? threads)
    {
        var folder = Directory.CreateTempSubdirectory("convmixer-bench-").FullName;
        try
        {
            var path = Path.Combine(folder, "model.onnx");
            using (var model = new ConvMixer(config))
            {
                model.eval();
                ConvMixerOnnxExporter.Export(model, path);
            }

            if (int8)
            {
                var quantized = Path.Combine(folder, "model.int8.onnx");
                OnnxInt8Quantizer.Quantize(path, quantized, CalibrationBatch.Random(2, batch, config.InChannels, inputSize, inputSize), QuantizeCommand.Options);
                path = quantized;
            }

            using var onnx = OnnxConvMixer.Load(path, new OnnxRuntimeOptions { IntraOpThreads = threads ?? 0 });
            var random = new Random(0);
            var input = new float[batch * config.InChannels * inputSize * inputSize];
            for (var i = 0; i < input.Length; i++)
            {
                input[i] = (float)((random.NextDouble() * 2) - 1);
            }

            int[] shape = [batch, config.InChannels, inputSize, inputSize];
            return Time(iterations, warmup, () => onnx.ComputeLogits(input, shape));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double[] Time(int iterations, int warmup, Action forward)
    {
        for (var i = 0; i < warmup; i++)
        {
            forward();
        }

        var seconds = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            forward();
            seconds[i] = clock.Elapsed.TotalSeconds;
        }

        return seconds;
    }
}
