namespace ConvMixerNet.Vision;

/// <summary>One value per colour channel, for example a normalisation mean or standard deviation.</summary>
public readonly record struct RgbValues(float Red, float Green, float Blue)
{
    internal float this[int channel] => channel switch
    {
        0 => Red,
        1 => Green,
        2 => Blue,
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };
}
