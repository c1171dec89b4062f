namespace ConvMixerNet.Serving;

/// <summary>How every upload is turned into model input, as GET /v1/model reports it.</summary>
public sealed record PreprocessingDescription(
    int InChannels, int InputSize, int ResizeSize, double CropFraction, CropMode CropMode, Interpolation Interpolation, float[] Mean, float[] Std, bool ApplyExifOrientation)
{
    /// <summary>The description of <paramref name="preprocessor"/>.</summary>
    public static PreprocessingDescription Of(ImagePreprocessor preprocessor)
    {
        var config = preprocessor.Config;
        return new(
            config.InChannels, config.InputSize, config.ResizeSize, config.CropFraction, config.CropMode, config.Interpolation,
            [.. config.Mean], [.. config.Std], preprocessor.ApplyExifOrientation);
    }
}
