namespace ConvMixerNet.Vision;

/// <summary>An image could not be decoded; the message names the image and the reason.</summary>
public sealed class ImageDecodeException : IOException
{
    /// <summary>Creates the exception for the image <paramref name="imageName"/> (a file name or a caller-given name).</summary>
    public ImageDecodeException(string imageName, string reason, Exception? innerException = null)
        : base($"Cannot decode image '{imageName}': {reason}.", innerException)
    {
        ImageName = imageName;
        Reason = reason;
    }

    /// <summary>The file name, or the name the caller gave a stream or byte array.</summary>
    public string ImageName { get; }

    /// <summary>Why the image could not be decoded, without the image name.</summary>
    public string Reason { get; }
}
