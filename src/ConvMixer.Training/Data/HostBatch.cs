using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>A batch prepared in managed memory by the loader thread: normalized pixels <c>[N, C, H, W]</c> and labels.</summary>
public sealed class HostBatch
{
    internal HostBatch(float[] pixels, long[] labels, int channels, int height, int width)
    {
        Pixels = pixels;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Normalized pixels, <c>Count * C * H * W</c> floats.</summary>
    public float[] Pixels { get; }

    /// <summary>Class index per image.</summary>
    public long[] Labels { get; }

    /// <summary>Images in the batch.</summary>
    public int Count => Labels.Length;

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>A copy of <see cref="Pixels"/> with every image mirrored left to right.</summary>
    public float[] MirroredPixels() => ShiftedPixels(0, 0, new float[Channels], mirror: true);

    /// <summary>
    /// A copy of <see cref="Pixels"/> with every image moved <paramref name="down"/> rows down and
    /// <paramref name="right"/> columns right (negative: up, left), then mirrored left to right when
    /// <paramref name="mirror"/>; the pixels uncovered at the border take the value <paramref name="fill"/> gives for
    /// their channel.
    /// </summary>
    public float[] ShiftedPixels(int down, int right, IReadOnlyList<float> fill, bool mirror = false)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (fill.Count != Channels)
        {
            throw new ArgumentException($"One fill value per channel is needed ({Channels}), not {fill.Count}.", nameof(fill));
        }

        var values = fill.ToArray();
        var size = Channels * Height * Width;
        var moved = new float[Pixels.Length];
        for (var image = 0; image < Count; image++)
        {
            Augmentation.Move(Pixels.AsSpan(image * size, size), moved.AsSpan(image * size, size), Channels, Height, Width, down, right, mirror, values);
        }

        return moved;
    }

    /// <summary>Copies the batch into tensors on <paramref name="device"/> (owned by the caller's dispose scope).</summary>
    public (Tensor Images, Tensor Labels) ToTensors(Device? device = null)
    {
        var images = tensor(Pixels, [Count, Channels, Height, Width]);
        var labels = tensor(Labels, [Count]);
        if (device is not null && device.type != TorchSharp.DeviceType.CPU)
        {
            images = images.to(device);
            labels = labels.to(device);
        }

        return (images, labels);
    }
}
