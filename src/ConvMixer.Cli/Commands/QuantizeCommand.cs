using System.CommandLine;
using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary>
/// <c>convmixer quantize IN.onnx OUT.onnx --calibration FOLDER [--count N]</c>: static int8 quantization of an exported
/// model, calibrated on images preprocessed exactly as classification preprocesses them.
/// </summary>
internal static class QuantizeCommand
{
    private const int CalibrationBatchSize = 16;

    /// <summary>What the tool quantizes with (bench too): the patch embedding stays float32, which kept top-1 agreement
    /// with float32 above 99% on Fashion-MNIST where quantizing it did not (docs/BENCHMARKS.md).</summary>
    public static OnnxQuantizationOptions Options { get; } = new() { KeepPatchEmbeddingFloat = true };

    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A float32 .onnx file written by 'convmixer convert'." };
        var output = new Argument<string>("output") { Description = "The int8 .onnx file to write (atomically)." };
        var calibration = new Option<string>("--calibration") { Description = "A folder of representative images (searched recursively), preprocessed with the model's stored configuration.", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "How many calibration images to use (the first N in path order).", DefaultValueFactory = _ => 256 }.AtLeast(1);
        var overwrite = new Option<bool>("--force") { Description = "Replace the output file if it exists." };
        var command = new Command("quantize", "Quantize an ONNX export to int8 (per-channel int8 weights, activations calibrated on images; the patch embedding stays float32 for accuracy).")
        {
            input, output, calibration, count, overwrite,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(input), parse.GetRequiredValue(output), parse.GetRequiredValue(calibration),
            parse.GetValue(count), parse.GetValue(overwrite)));
        return command;
    }

    private static int Run(string input, string output, string calibrationFolder, int count, bool overwrite)
    {
        if (!OnnxBackend.IsOnnxFile(input) || !OnnxBackend.IsOnnxFile(output))
        {
            throw new UsageException("quantize reads and writes .onnx files; export weights first with 'convmixer convert weights model.onnx'.");
        }

        if (File.Exists(output) && !overwrite)
        {
            throw new UsageException($"'{output}' exists; pass --force to replace it.");
        }

        if (!Directory.Exists(calibrationFolder))
        {
            throw new UsageException($"--calibration: '{calibrationFolder}' is not a folder of images.");
        }

        var images = FolderScanner.FindFiles(calibrationFolder, ImageDecoder.FileExtensions).Files.Take(count).ToList();
        if (images.Count == 0)
        {
            throw new UsageException($"--calibration: '{calibrationFolder}' holds no images ({string.Join(", ", ImageDecoder.FileExtensions)}); int8 needs calibration images.");
        }

        using var model = OnnxConvMixer.Load(input);
        var resolved = ResolvedPreprocessing.For(model.Architecture, model.Pretrained, new ImageClassifierOptions());
        if (resolved.Assumption is { } assumed)
        {
            Console.Error.WriteLine($"warning: {assumed}");
        }

        var preprocessor = new ImagePreprocessor(resolved.Data);
        var result = OnnxInt8Quantizer.Quantize(input, output, Batches(preprocessor, images), Options);
        Terminal.Out.MarkupLine(Markup.Escape(
            $"Wrote {output}: {result.QuantizedConvolutions} convolutions in int8, calibrated on {images.Count} image(s), {Terminal.Count(new FileInfo(output).Length)} bytes."));
        return ExitCodes.Success;
    }

    // Preprocessed images in batches; unreadable files are reported and left out.
    private static IEnumerable<CalibrationBatch> Batches(ImagePreprocessor preprocessor, List<string> images)
    {
        var size = preprocessor.ValuesPerImage;
        foreach (var chunk in images.Chunk(CalibrationBatchSize))
        {
            var pixels = new List<float[]>(chunk.Length);
            foreach (var path in chunk)
            {
                try
                {
                    pixels.Add(preprocessor.Process(preprocessor.Decode(path)));
                }
                catch (IOException e)
                {
                    Console.Error.WriteLine($"warning: skipped {path}: {e.Message}");
                }
            }

            if (pixels.Count > 0)
            {
                var side = preprocessor.Config.InputSize;
                yield return new CalibrationBatch(pixels.SelectMany(p => p).ToArray(), pixels.Count, preprocessor.Config.InChannels, side, side);
            }
        }
    }
}
