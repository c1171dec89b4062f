namespace ConvMixerNet.Training;

/// <summary>Views of each image whose logits are averaged at evaluation.</summary>
public enum TestTimeAugmentation
{
    /// <summary>The image only.</summary>
    None,

    /// <summary>The image and its mirror image: two forward passes, their logits averaged. Fits data whose training used random flips.</summary>
    HorizontalFlip,
}
