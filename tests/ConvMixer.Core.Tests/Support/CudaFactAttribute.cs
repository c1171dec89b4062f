using TorchSharp;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>A fact that runs only where CUDA is available and is reported as skipped elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available())
        {
            Skip = "CUDA is not available: no GPU, or the tests were built with the CPU backend (build with -p:ConvMixerBackend=cuda).";
        }
    }
}
