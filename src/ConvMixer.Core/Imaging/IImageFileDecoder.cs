namespace ConvMixerNet.Core;

/// <summary>
/// Turns image files into fixed-size 8-bit pixels. Packages that consume image files (ConvMixerNet.Training's image
/// folders) take one of these instead of depending on a particular decoder; ConvMixerNet.Vision's
/// <c>ImageFileDecoder</c> (SkiaSharp, PIL-exact resizing) is the one this repository ships.
/// </summary>
public interface IImageFileDecoder
{
    /// <summary>File extensions this decoder reads, with the dot (for example <c>.png</c>), compared case-insensitively.</summary>
    IReadOnlySet<string> FileExtensions { get; }

    /// <summary>Channels of the decoded pixels (3 for RGB).</summary>
    int Channels { get; }

    /// <summary>
    /// Decodes <paramref name="path"/>, resizes its shorter side to <c>floor(side / cropFraction)</c> and cuts out the
    /// centre <paramref name="side"/>×<paramref name="side"/> square.
    /// </summary>
    /// <returns>Channel-major (<c>[Channels, side, side]</c>) bytes.</returns>
    /// <exception cref="IOException">The file is missing, unreadable or not a decodable image; the message says why.</exception>
    byte[] DecodePlanar(string path, int side, double cropFraction);
}
