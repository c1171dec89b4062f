namespace ConvMixerNet.Vision;

/// <summary>
/// <see cref="ITrainingImageReader"/> over <see cref="ImageDecoder"/> and a <see cref="TrainingTransform"/>: what
/// ConvMixerNet.Training's streaming image folders read photos with: every read decodes the file. Thread-safe
/// (a subclass's <see cref="Decode"/> must be too).
/// </summary>
public class TrainingImageReader : ITrainingImageReader
{
    /// <summary>Creates a reader that applies <paramref name="transform"/>.</summary>
    /// <param name="transform">The training transform.</param>
    /// <param name="applyExifOrientation">Turn photos upright according to their EXIF orientation tag.</param>
    public TrainingImageReader(TrainingTransform transform, bool applyExifOrientation = true)
    {
        ArgumentNullException.ThrowIfNull(transform);
        transform.Data.Validate();
        transform.Crop.Validate();
        transform.ColorJitter?.Validate();
        Transform = transform;
        ApplyExifOrientation = applyExifOrientation;
    }

    /// <summary>The transform.</summary>
    public TrainingTransform Transform { get; }

    /// <summary>Whether decoding honours the EXIF orientation tag.</summary>
    public bool ApplyExifOrientation { get; }

    /// <inheritdoc />
    public IReadOnlySet<string> FileExtensions => ImageDecoder.FileExtensions;

    /// <inheritdoc />
    public int Channels => Transform.Data.InChannels;

    /// <inheritdoc />
    public int Side => Transform.Crop.Size;

    /// <inheritdoc />
    public void Read(string path, Random random, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(path);
        Transform.Apply(Decode(path), random, destination);
    }

    /// <summary>The photo the transform is applied to: here the file, decoded anew.</summary>
    /// <param name="path">The image file.</param>
    protected virtual RgbImage Decode(string path) => ImageDecoder.Decode(path, ApplyExifOrientation);
}
