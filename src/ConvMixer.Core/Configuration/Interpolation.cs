namespace ConvMixerNet.Core;

/// <summary>
/// Resampling filters for resizing, with the definitions of PIL's <c>Image.resize</c> (which torchvision uses
/// for PIL images). All but <see cref="Nearest"/> widen with the scale when shrinking, so they antialias.
/// </summary>
public enum Interpolation
{
    /// <summary>The source pixel under each output pixel's centre.</summary>
    Nearest,

    /// <summary>Box filter: the mean of the covered source pixels.</summary>
    Box,

    /// <summary>Triangle filter (linear interpolation when enlarging).</summary>
    Bilinear,

    /// <summary>Hamming-windowed sinc with support 1.</summary>
    Hamming,

    /// <summary>Keys cubic with a = -0.5 (what the published ConvMixer models were evaluated with).</summary>
    Bicubic,

    /// <summary>Lanczos-windowed sinc with support 3.</summary>
    Lanczos,
}
