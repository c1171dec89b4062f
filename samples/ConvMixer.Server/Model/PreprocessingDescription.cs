namespace ConvMixerNet.Server;

/// <summary>How every upload is turned into model input, as GET /v1/model reports it.</summary>
public sealed record PreprocessingDescription(
    int InputSize, int ResizeSize, double CropFraction, Interpolation Interpolation, float[] Mean, float[] Std, bool ApplyExifOrientation)
{
    /// <summary>The description of <paramref name="preprocessor"/>.</summary>
    public static PreprocessingDescription Of(ImagePreprocessor preprocessor)
    {
        var config = preprocessor.Config;
        return new(
            config.InputSize, config.ResizeSize, config.CropFraction, config.Interpolation,
            [config.Mean.Red, config.Mean.Green, config.Mean.Blue], [config.Std.Red, config.Std.Green, config.Std.Blue],
            preprocessor.ApplyExifOrientation);
    }
}
