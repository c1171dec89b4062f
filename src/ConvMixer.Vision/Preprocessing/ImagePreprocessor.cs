using static TorchSharp.torch;

namespace ConvMixerNet.Vision;

/// <summary>
/// The evaluation transform of a <see cref="DataConfig"/>: decode, convert to grey for one-channel models (PIL's
/// <c>convert('L')</c>), resize, centre crop, scale to [0, 1], normalise. Matches torchvision's <c>Resize</c>,
/// <c>CenterCrop</c>, <c>ToTensor</c> and <c>Normalize</c> on PIL images (the pipeline timm evaluates with), for
/// timm's <c>center</c> and <c>squash</c> crop modes. Immutable and thread-safe.
/// </summary>
public sealed class ImagePreprocessor
{
    /// <summary>Creates the transform for <paramref name="config"/> (default: <see cref="DataConfig.ImageNet"/>).</summary>
    /// <param name="config">Sizes, interpolation and normalisation.</param>
    /// <param name="applyExifOrientation">Turn photos upright according to their EXIF orientation tag when decoding
    /// (timm's loader does not; turn it off to reproduce timm on rotated camera photos).</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="config"/> makes no sense.</exception>
    public ImagePreprocessor(DataConfig? config = null, bool applyExifOrientation = true)
    {
        Config = config ?? DataConfig.ImageNet;
        Config.Validate();
        ApplyExifOrientation = applyExifOrientation;
    }

    /// <summary>The settings.</summary>
    public DataConfig Config { get; }

    /// <summary>Whether decoding honours the EXIF orientation tag.</summary>
    public bool ApplyExifOrientation { get; }

    /// <summary>Number of floats one preprocessed image occupies: InChannels × InputSize × InputSize.</summary>
    public int ValuesPerImage => Config.InChannels * Config.InputSize * Config.InputSize;

    /// <summary>Decodes an image file (see <see cref="ImageDecoder"/>).</summary>
    public RgbImage Decode(string path) => ImageDecoder.Decode(path, ApplyExifOrientation);

    /// <summary>
    /// Decodes an image file and resizes and crops it (<see cref="ResizeAndCrop"/>), with the memory of both steps
    /// reserved from the decode budget shared by all threads, so many large images decoded at once cannot exhaust memory.
    /// </summary>
    internal RgbImage DecodeResized(string path) =>
        ImageDecoder.DecodeFile(path, ApplyExifOrientation, ResizeAndCrop, ResizeBytes);

    /// <summary>Decodes an encoded image held in memory (see <see cref="ImageDecoder"/>).</summary>
    public RgbImage Decode(ReadOnlySpan<byte> data, string imageName = "image") => ImageDecoder.Decode(data, imageName, ApplyExifOrientation);

    /// <summary>
    /// Resizes to <see cref="DataConfig.ResizeSize"/> (the shorter side, or both sides in <see cref="CropMode.Squash"/>)
    /// and cuts out the centre square, in 8 bits (as PIL does). For one-channel models the image is made grey first, so
    /// the three channels of the result are equal.
    /// </summary>
    public RgbImage ResizeAndCrop(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (Config.InChannels == 1)
        {
            image = image.ToGrey();
        }

        var (width, height) = Config.CropMode == CropMode.Squash
            ? (Config.ResizeSize, Config.ResizeSize)
            : ResizedSize(image.Width, image.Height, Config.ResizeSize);
        var size = Config.InputSize;
        // torchvision: int(round((resized - crop) / 2)), with Python's round-half-to-even.
        var left = (int)Math.Round((width - size) / 2.0, MidpointRounding.ToEven);
        var top = (int)Math.Round((height - size) / 2.0, MidpointRounding.ToEven);
        return Resampler.ResizeAndCrop(image, width, height, new PixelWindow(left, top, size, size), Config.Interpolation);
    }

    /// <summary>Writes the normalised channels of a cropped image into <paramref name="destination"/>, planar (CHW) order.</summary>
    /// <exception cref="ArgumentException">The image is not InputSize × InputSize or the destination is too small.</exception>
    public void Normalize(RgbImage cropped, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(cropped);
        var size = Config.InputSize;
        if (cropped.Width != size || cropped.Height != size)
        {
            throw new ArgumentException($"Expected a {size}x{size} image (the output of ResizeAndCrop), but got {cropped.Width}x{cropped.Height}.", nameof(cropped));
        }

        if (destination.Length < ValuesPerImage)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; {ValuesPerImage} are needed.", nameof(destination));
        }

        var pixels = cropped.Pixels;
        var plane = size * size;
        var image = destination[..ValuesPerImage];
        for (var c = 0; c < Config.InChannels; c++)
        {
            // torchvision's ToTensor (v / 255 in float32), then its Normalize.
            var channel = image.Slice(c * plane, plane);
            for (var i = 0; i < plane; i++)
            {
                channel[i] = pixels[(i * 3) + c] / 255f;
            }
        }

        Normalization.Apply(image, Config.Mean, Config.Std);
    }

    /// <summary>Preprocesses a decoded image into a new float array of <see cref="ValuesPerImage"/> values (CHW).</summary>
    public float[] Process(RgbImage image)
    {
        var values = new float[ValuesPerImage];
        Normalize(ResizeAndCrop(image), values);
        return values;
    }

    /// <summary>Decodes and preprocesses an image file into a float32 tensor <c>[InChannels, InputSize, InputSize]</c> on the CPU.</summary>
    public Tensor ToTensor(string path) => ToTensor(Decode(path));

    /// <summary>Preprocesses a decoded image into a float32 tensor <c>[InChannels, InputSize, InputSize]</c> on the CPU.</summary>
    public Tensor ToTensor(RgbImage image) =>
        tensor(Process(image), [Config.InChannels, Config.InputSize, Config.InputSize], ScalarType.Float32);

    // What ResizeAndCrop allocates, at most: a grey copy, the intermediate rows of the two-pass resampler, the result.
    private long ResizeBytes(int width, int height)
    {
        long side = Config.InputSize;
        return (Config.InChannels == 1 ? 3L * width * height : 0) + (3 * height * Math.Max(side, Config.ResizeSize)) + (3 * side * side);
    }

    /// <summary>The size torchvision's <c>Resize(int)</c> gives: shorter side = <paramref name="shorterSide"/>, longer side scaled and truncated.</summary>
    internal static (int Width, int Height) ResizedSize(int width, int height, int shorterSide)
    {
        if (width <= height)
        {
            return (shorterSide, (int)((double)shorterSide * height / width));
        }

        return ((int)((double)shorterSide * width / height), shorterSide);
    }
}
