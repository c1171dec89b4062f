using FluentAssertions;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

public class CudaTests
{
    [CudaFact]
    public void Model_built_on_cuda_matches_the_cpu_reference()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = golden.BuildModel().cuda();
        using var input = golden.Input.cuda();
        using var _ = torch.no_grad();

        using var logits = model.forward(input).cpu();

        logits.ShouldBeClose(golden.Logits, 1e-4, 1e-4);
    }

    [CudaFact]
    public void Cpu_input_to_a_cuda_model_is_rejected()
    {
        using var model = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 4, numClasses: 3, device: CUDA);
        using var cpuInput = torch.randn(1, 3, 32, 32);

        var act = () => model.forward(cpuInput);

        act.Should().Throw<ArgumentException>().WithMessage("*device*");
    }
}
