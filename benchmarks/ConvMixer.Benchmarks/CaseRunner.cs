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

    public void Dispose()
    {
        _model?.Dispose();
        _input.Dispose();
        _other?.Dispose();
        _optimizer?.Dispose();
    }
}
