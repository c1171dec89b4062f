using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// Checks run before a forward pass so that a bad input fails with a message that names what was
/// expected and what came, instead of a libtorch error from deep inside a convolution.
/// </summary>
internal static class TensorChecks
{
    public static void ImageBatch(Tensor input, long channels, long minSide, Tensor weight, string paramName)
    {
        ArgumentNullException.ThrowIfNull(input, paramName);
        if (input.dim() != 4)
        {
            throw new ArgumentException(
                $"Expected a 4-D image batch [N, {channels}, H, W], but got a {input.dim()}-D tensor of shape {Shape(input)}.", paramName);
        }

        if (input.shape[0] == 0)
        {
            throw new ArgumentException($"Expected a non-empty batch, but got shape {Shape(input)} (N = 0).", paramName);
        }

        if (input.shape[1] != channels)
        {
            throw new ArgumentException(
                $"Expected {channels} input channels (shape [N, {channels}, H, W]), but got {input.shape[1]} (shape {Shape(input)}).", paramName);
        }

        if (input.shape[2] < minSide || input.shape[3] < minSide)
        {
            throw new ArgumentException(
                $"Expected height and width of at least {minSide} (the patch size), but got {input.shape[2]}x{input.shape[3]} (shape {Shape(input)}).", paramName);
        }

        SameDeviceAndType(input, weight, paramName);
    }

    public static void SameDeviceAndType(Tensor input, Tensor weight, string paramName)
    {
        if (input.device_type != weight.device_type || input.device_index != weight.device_index)
        {
            throw new ArgumentException(
                $"Expected the input on the model's device {weight.device}, but it is on {input.device}. Move one of them with .to(device).", paramName);
        }

        if (input.dtype != weight.dtype)
        {
            throw new ArgumentException(
                $"Expected input of the model's dtype {weight.dtype}, but got {input.dtype}. Convert the input with .to({weight.dtype}) or the model with .to(ScalarType.{input.dtype}).", paramName);
        }
    }

    public static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
