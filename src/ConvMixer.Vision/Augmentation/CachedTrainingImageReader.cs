using System.Collections.Concurrent;

namespace ConvMixerNet.Vision;

/// <summary>
/// The in-memory counterpart of <see cref="TrainingImageReader"/>: each photo is decoded once, scaled (Pillow's
/// bicubic, as torchvision's <c>Resize(S)</c>) so that its shorter side is the training size S when it is larger, and
/// kept; every sample then applies the <see cref="TrainingTransform"/> to the kept image. A data set of N images holds
/// about N·3·S²·(longer / shorter side) bytes. The random resized crop thus cuts from the photo at the training
/// resolution instead of the full-resolution photo: the samples are close to, not identical with, the streaming
/// reader's. Thread-safe; files that cannot be read are not kept and fail on every read.
/// </summary>
public sealed class CachedTrainingImageReader : TrainingImageReader
{
    private readonly ConcurrentDictionary<string, Lazy<RgbImage>> _images = new(StringComparer.Ordinal);

    /// <summary>Creates a reader that applies <paramref name="transform"/>.</summary>
    /// <param name="transform">The training transform.</param>
    /// <param name="applyExifOrientation">Turn photos upright according to their EXIF orientation tag.</param>
    public CachedTrainingImageReader(TrainingTransform transform, bool applyExifOrientation = true)
        : base(transform, applyExifOrientation)
    {
    }

    /// <summary>Images held (or being decoded) so far; files that failed to decode are not held.</summary>
    public int Count => _images.Count;

    /// <summary>The photo as kept: decoded on the first read and shrunk to the training size.</summary>
    /// <param name="path">The image file.</param>
    protected override RgbImage Decode(string path)
    {
        var entry = _images.GetOrAdd(path, p => new Lazy<RgbImage>(() => Shrink(base.Decode(p)), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return entry.Value;
        }
        catch
        {
            // A failed decode is not kept (Lazy would cache the exception): the next read tries again and reports again.
            _images.TryRemove(new KeyValuePair<string, Lazy<RgbImage>>(path, entry));
            throw;
        }
    }

    private RgbImage Shrink(RgbImage image)
    {
        var side = Side;
        if (Math.Min(image.Width, image.Height) <= side)
        {
            return image;
        }

        var (width, height) = ImagePreprocessor.ResizedSize(image.Width, image.Height, side);
        return Resampler.ResizeAndCrop(image, width, height, new PixelWindow(0, 0, width, height), Interpolation.Bicubic);
    }
}
