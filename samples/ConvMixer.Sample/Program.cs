// The source article's dummy-image test: ConvMixer-1536/20 on four random 224x224 images.
using System.Diagnostics;
using ConvMixerNet.Core;
using TorchSharp;

// Faster libtorch on Linux CPUs (allocator and kernel choice); must run before the first tensor operation.
Console.WriteLine($"CPU tuning: {CpuTuning.Apply()}");
var deviceName = ParseDevice(args);
if (deviceName is null)
{
    Console.Error.WriteLine("Usage: ConvMixer.Sample [--device cpu|cuda]");
    return 2;
}

if (deviceName == "cuda" && !torch.cuda.is_available())
{
    Console.Error.WriteLine(
        "CUDA is not available here. It needs an NVIDIA GPU and the CUDA backend: "
        + "run with `dotnet run --project samples/ConvMixer.Sample -c Release -p:ConvMixerBackend=cuda -- --device cuda`.");
    return 1;
}

var device = torch.device(deviceName);
using var model = ConvMixerModels.convmixer_1536_20(device: device);
model.eval();

using var images = torch.randn(4, 3, 224, 224, device: device);
Console.WriteLine($"Model:        {model.Config}");
Console.WriteLine($"Parameters:   {model.ParameterCount:N0}");
Console.WriteLine($"Device:       {device}");
Console.WriteLine($"Input shape:  [{string.Join(", ", images.shape)}]");

using (torch.inference_mode())
{
    using (model.forward(images))
    {
        // Warm-up: the first forward pays for oneDNN's kernel selection.
    }

    var watch = Stopwatch.StartNew();
    using var logits = model.forward(images);
    if (device.type == DeviceType.CUDA)
    {
        torch.cuda.synchronize();
    }

    watch.Stop();
    Console.WriteLine($"Output shape: [{string.Join(", ", logits.shape)}]");
    Console.WriteLine($"Forward time: {watch.Elapsed.TotalMilliseconds:F0} ms (batch of 4, after one warm-up forward)");
}

return 0;

static string? ParseDevice(string[] args)
{
    if (args.Length == 0)
    {
        return "cpu";
    }

    if (args.Length == 2 && args[0] == "--device" && args[1] is "cpu" or "cuda")
    {
        return args[1];
    }

    return null;
}
