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
    public float[] MirroredPixels()
    {
        var mirrored = new float[Pixels.Length];
        for (var row = 0; row < Pixels.Length / Width; row++)
        {
            Pixels.AsSpan(row * Width, Width).CopyTo(mirrored.AsSpan(row * Width, Width));
            mirrored.AsSpan(row * Width, Width).Reverse();
        }

        return mirrored;
    }

    /// <summary>
    /// A copy of <see cref="Pixels"/> with every image moved <paramref name="down"/> rows down and
    /// <paramref name="right"/> columns right (negative: up, left); the pixels uncovered at the border take the value
    /// <paramref name="fill"/> gives for their channel.
    /// </summary>
    public float[] ShiftedPixels(int down, int right, IReadOnlyList<float> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (fill.Count != Channels)
        {
            throw new ArgumentException($"One fill value per channel is needed ({Channels}), not {fill.Count}.", nameof(fill));
        }

        var shifted = new float[Pixels.Length];
        for (var plane = 0; plane < Count * Channels; plane++)
        {
            var value = fill[plane % Channels];
            for (var y = 0; y < Height; y++)
            {
                var target = shifted.AsSpan(((plane * Height) + y) * Width, Width);
                var sourceRow = y - down;
                if (sourceRow < 0 || sourceRow >= Height)
                {
                    target.Fill(value);
                    continue;
                }

                var source = Pixels.AsSpan(((plane * Height) + sourceRow) * Width, Width);
                for (var x = 0; x < Width; x++)
                {
                    var sourceColumn = x - right;
                    target[x] = sourceColumn >= 0 && sourceColumn < Width ? source[sourceColumn] : value;
                }
            }
        }

        return shifted;
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
