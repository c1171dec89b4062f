namespace ConvMixerNet.Core;

/// <summary>How the evaluation transform fits an image to the model's square input (timm's <c>crop_mode</c>).</summary>
public enum CropMode
{
    /// <summary>Resize the shorter side to <see cref="DataConfig.ResizeSize"/> keeping the aspect ratio, then cut out the centre square.</summary>
    Center,

    /// <summary>Resize both sides to <see cref="DataConfig.ResizeSize"/> (ignoring the aspect ratio), then cut out the centre square.</summary>
    Squash,
}
