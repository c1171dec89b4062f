using ConvMixerNet.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Benchmarks;

/// <summary>
/// Builds what a <see cref="BenchmarkCase"/> needs once, then runs it as often as asked. Used by both the
/// BenchmarkDotNet suite and the side-by-side driver, so both time exactly the same work.
/// </summary>
internal sealed class CaseRunner : IDisposable
{
    private readonly BenchmarkCase _case;
    private readonly ConvMixer? _model;
    private readonly Tensor _input;
    private readonly Tensor? _other;
    private readonly optim.Optimizer? _optimizer;
    private readonly OnnxConvMixer? _onnx;
    private readonly float[]? _pixels;
    private readonly float[]? _logits;

    public CaseRunner(BenchmarkCase benchmarkCase)
    {
        _case = benchmarkCase;
        torch.manual_seed(0);
        var dtype = benchmarkCase.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        switch (benchmarkCase.Kind)
        {
            case "mm":
                _input = torch.randn(benchmarkCase.Batch, benchmarkCase.Batch, dtype: dtype);
                _other = torch.randn(benchmarkCase.Batch, benchmarkCase.Batch, dtype: dtype);
                break;
            case "forward" when benchmarkCase.OnnxRuntime:
                (_onnx, _pixels, _logits) = OnnxCase(benchmarkCase);
                _input = torch.zeros(1);
                break;
            case "forward":
                _model = new ConvMixer(benchmarkCase.Config);
                _model.eval();
                _model.to(dtype);
                _input = torch.randn(benchmarkCase.Batch, 3, benchmarkCase.ImageSize, benchmarkCase.ImageSize, dtype: dtype);
                break;
            default:
                _model = new ConvMixer(benchmarkCase.Config);
                _model.train();
                _input = torch.randn(benchmarkCase.Batch, 3, benchmarkCase.ImageSize, benchmarkCase.ImageSize);
                _other = torch.randint(benchmarkCase.Config.NumClasses, [benchmarkCase.Batch], dtype: ScalarType.Int64);
                _optimizer = optim.SGD(_model.parameters(), learningRate: 0.01, momentum: 0.9);
                break;
        }
    }

    public void RunOnce()
    {
        if (_onnx is not null)
        {
            _onnx.ComputeLogits(_pixels, [_case.Batch, 3, _case.ImageSize, _case.ImageSize], _logits);
            return;
        }

        using var scope = torch.NewDisposeScope();
        switch (_case.Kind)
        {
            case "mm":
                torch.mm(_input, _other!);
                break;
            case "forward":
                using (torch.inference_mode())
                {
                    _model!.forward(_input);
                }

                break;
            default:
                _optimizer!.zero_grad();
                var loss = nn.functional.cross_entropy(_model!.forward(_input), _other!);
                loss.backward();
                _optimizer.step();
                break;
        }
    }

    /// <summary>
    /// Exports the case's model (PyTorch's default initialisation, seed 0) to a temporary file, quantizes it for
    /// int8 with random calibration images (fine for timing, not for accuracy) and loads it with as many
    /// intra-op threads as libtorch uses.
    /// </summary>
    private static (OnnxConvMixer, float[], float[]) OnnxCase(BenchmarkCase benchmarkCase)
    {
        var folder = Path.Combine(Path.GetTempPath(), "convmixer-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var fp32 = Path.Combine(folder, "model.onnx");
            using (var model = new ConvMixer(benchmarkCase.Config))
            {
                model.eval();
                var gelu = benchmarkCase.Precision == "onnx-fp32-gelu20" ? OnnxGeluForm.Gelu20 : OnnxGeluForm.ErfPattern;
                ConvMixerOnnxExporter.Export(model, fp32, options: new OnnxExportOptions { GeluForm = gelu });
            }

            var path = fp32;
            if (benchmarkCase.Precision == "onnx-int8")
            {
                path = Path.Combine(folder, "model.int8.onnx");
                var size = benchmarkCase.ImageSize;
                OnnxInt8Quantizer.Quantize(fp32, path, CalibrationBatch.Random(2, 1, 3, size, size));
            }

            var onnx = OnnxConvMixer.Load(path, new OnnxRuntimeOptions
            {
                IntraOpThreads = torch.get_num_threads(),
                OptimizedModelPath = Environment.GetEnvironmentVariable("CONVMIXER_BENCH_ORT_OPTIMIZED"),
                ProfilingFilePrefix = Environment.GetEnvironmentVariable("CONVMIXER_BENCH_ORT_PROFILE"),
            });
            torch.manual_seed(0);
            using var input = torch.randn(benchmarkCase.Batch, 3, benchmarkCase.ImageSize, benchmarkCase.ImageSize);
            return (onnx, input.data<float>().ToArray(), new float[benchmarkCase.Batch * onnx.OutputWidth]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true); // the session holds the model in memory
        }
    }

    public void Dispose()
    {
        _onnx?.Dispose();
        _model?.Dispose();
        _input.Dispose();
        _other?.Dispose();
        _optimizer?.Dispose();
    }
}
