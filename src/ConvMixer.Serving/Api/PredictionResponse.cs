namespace ConvMixerNet.Serving;

/// <summary>One of an image's top classes in an answer.</summary>
public sealed record PredictionResponse(int Index, string Label, float Probability)
{
    /// <summary>The answer's form of a prediction.</summary>
    public static PredictionResponse Of(Prediction prediction) => new(prediction.ClassIndex, prediction.Label, prediction.Probability);
}
