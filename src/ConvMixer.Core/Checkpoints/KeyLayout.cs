namespace ConvMixerNet.Core;

/// <summary>The key names of a saved state dict.</summary>
public enum KeyLayout
{
    /// <summary>timm's keys (<c>stem.*</c>, <c>blocks.{i}.*</c>, <c>head.*</c>), which this library's modules use.</summary>
    Timm,

    /// <summary>
    /// The official repository's flat <c>nn.Sequential</c> (<c>0</c> patch convolution, <c>2</c> its BatchNorm,
    /// <c>3 + i</c> layer i, <c>depth + 5</c> the classifier), for its <c>ConvMixer(...)</c> and <c>load_state_dict</c>.
    /// </summary>
    Official,
}
