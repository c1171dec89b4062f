using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Onnx.Tests;

/// <summary>Models and inputs for the tests: random weights with random BatchNorm statistics, so every parameter shows in the output.</summary>
internal static class TestModels
{
    public static ConvMixer Randomized(ConvMixerConfig config, int seed = 0)
    {
        torch.manual_seed(seed);
        var model = new ConvMixer(config);
        using (torch.no_grad())
        {
            foreach (var norm in model.modules().OfType<TorchSharp.Modules.BatchNorm>())
            {
                norm.weight!.uniform_(0.5, 1.5);
                norm.bias!.uniform_(-0.5, 0.5);
                norm.running_mean!.uniform_(-0.5, 0.5);
                norm.running_var!.uniform_(0.5, 2.0);
            }
        }

        model.eval();
        return model;
    }

    /// <summary>A deterministic, non-symmetric image-like batch as a flat array.</summary>
    public static float[] Batch(int n, int c, int h, int w, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n * c * h * w).Select(_ => (float)((random.NextDouble() * 4.0) - 2.0)).ToArray();
    }

    /// <summary>The TorchSharp forward pass of <paramref name="model"/> on a flat batch, as a flat array.</summary>
    public static float[] TorchLogits(ConvMixer model, float[] batch, int[] shape)
    {
        using var _ = torch.no_grad();
        using var input = torch.tensor(batch, shape.Select(d => (long)d).ToArray());
        using var output = model.forward(input);
        return output.data<float>().ToArray();
    }

    public static float[] Flat(Tensor tensor) => tensor.contiguous().data<float>().ToArray();

    public static int[] Shape(Tensor tensor) => tensor.shape.Select(d => (int)d).ToArray();
}
