namespace ConvMixerNet.Training;

/// <summary>Views of each image whose logits are averaged at evaluation.</summary>
public enum TestTimeAugmentation
{
    /// <summary>The image only.</summary>
    None,

    /// <summary>The image and its mirror image: two forward passes, their logits averaged. Fits data whose training used random flips.</summary>
    HorizontalFlip,

    /// <summary>
    /// The image moved by up to one pixel in every direction (9 positions; the uncovered border is black, as the
    /// training's crop padding makes it) and the mirror image of each: 18 forward passes, their logits averaged. Fits
    /// data whose training used random shifts and flips.
    /// </summary>
    HorizontalFlipAndShifts,
}
