using ConvMixerNet.Onnx;

namespace ConvMixerNet.Benchmarks;

/// <summary>
/// <c>onnx-samples &lt;folder&gt;</c>: exports a set of small ConvMixers covering every export path (odd and even kernels,
/// GELU and ReLU, both residual placements, no classifier, opset-20 Gelu, and int8 models) for checking with
/// tools/onnx/check_model.py.
/// </summary>
internal static class OnnxSamplesCommand
{
    public static int Run(string[] args)
    {
        var folder = args[0];
        Directory.CreateDirectory(folder);
        (string Name, ConvMixerConfig Config, OnnxGeluForm Gelu)[] samples =
        [
            ("gelu-k5-p4", new ConvMixerConfig(32, 2, 5, 4, 10), OnnxGeluForm.ErfPattern),
            ("gelu-even-k4-p2", new ConvMixerConfig(16, 2, 4, 2, 5), OnnxGeluForm.ErfPattern),
            ("relu-around-layer", new ConvMixerConfig(16, 2, 3, 3, 7, 1, Activation.Relu, ResidualPlacement.AroundLayer), OnnxGeluForm.ErfPattern),
            ("no-classifier", new ConvMixerConfig(16, 1, 5, 4, 0), OnnxGeluForm.ErfPattern),
            ("gelu20", new ConvMixerConfig(16, 2, 5, 4, 10), OnnxGeluForm.Gelu20),
        ];
        foreach (var (name, config, gelu) in samples)
        {
            using var model = new ConvMixer(config);
            model.eval();
            var path = Path.Combine(folder, name + ".onnx");
            ConvMixerOnnxExporter.Export(model, path, new Dictionary<string, string> { ["sample"] = name }, new OnnxExportOptions { GeluForm = gelu });
            Console.WriteLine(path);
        }

        // A GELU model's int8 graph uses opset 20's Gelu; a ReLU model's stays at opset 17, which older checkers know.
        foreach (var (name, channels) in new[] { ("gelu-k5-p4", 3), ("relu-around-layer", 1) })
        {
            var int8 = Path.Combine(folder, name + ".int8.onnx");
            OnnxInt8Quantizer.Quantize(Path.Combine(folder, name + ".onnx"), int8, CalibrationBatch.Random(2, 2, channels, 32, 32));
            Console.WriteLine(int8);
        }

        return 0;
    }
}
