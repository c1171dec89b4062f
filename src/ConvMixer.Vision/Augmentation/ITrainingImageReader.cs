namespace ConvMixerNet.Vision;

/// <summary>
/// Turns one image file into one training sample: decoded, randomly transformed (a random resized crop, flips, colour
/// operations) and normalised. ConvMixerNet.Training's streaming image folders call it on their worker threads, one
/// call per image with that image's own random generator, so a sample depends only on the file and the generator's
/// seed. ConvMixerNet.Vision's <c>TrainingImageReader</c> applies timm's training transforms.
/// </summary>
public interface ITrainingImageReader
{
    /// <summary>File extensions this reader reads, with the dot (for example <c>.png</c>), compared case-insensitively.</summary>
    IReadOnlySet<string> FileExtensions { get; }

    /// <summary>Channels of a sample.</summary>
    int Channels { get; }

    /// <summary>Side of a (square) sample.</summary>
    int Side { get; }

    /// <summary>Writes the sample of <paramref name="path"/> (<c>[Channels, Side, Side]</c>, normalised) to <paramref name="destination"/>.</summary>
    /// <exception cref="IOException">The file is missing, unreadable or not a decodable image; the message says why.</exception>
    void Read(string path, Random random, Span<float> destination);
}
