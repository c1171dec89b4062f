namespace ConvMixerNet.Core;

/// <summary>Where the skip connection of a <see cref="ConvMixerLayer"/> sits.</summary>
public enum ResidualPlacement
{
    /// <summary>
    /// The paper's and the reference implementations' (timm, official) placement: the residual wraps only
    /// the spatial (depthwise) mixing. <c>x = x + BN1(act(dw(x))); x = BN2(act(pw(x)))</c>.
    /// </summary>
    AroundSpatialMixing,

    /// <summary>
    /// The residual wraps the whole layer: <c>x + BN2(act(pw(BN1(act(dw(x))))))</c>. Not weight-compatible in
    /// behaviour with published checkpoints; offered for experiments that use this variant.
    /// </summary>
    AroundLayer,
}
