namespace ConvMixerNet.Serving;

/// <summary>The answer of POST /v1/classify.</summary>
/// <param name="Predictions">The top classes, most probable first.</param>
/// <param name="Model">The model's name.</param>
/// <param name="ElapsedMs">Time from the request's arrival to its answer, queueing included.</param>
public sealed record ClassificationResponse(IReadOnlyList<PredictionResponse> Predictions, string Model, double ElapsedMs);
