namespace ConvMixerNet.Serving;

/// <summary>The JSON answer of POST /v1/explain (with <c>Accept: application/json</c>), as <c>convmixer explain --json</c> writes it.</summary>
/// <param name="Image">The uploaded file's name (a form's file name), or "upload".</param>
/// <param name="Class">The class explained.</param>
/// <param name="Label">Its name.</param>
/// <param name="Probability">Its softmax probability.</param>
/// <param name="Method">gradcam or eigencam.</param>
/// <param name="Map">The map's rows, values in [0, 1], at the last layer's resolution.</param>
/// <param name="Model">The model's name.</param>
/// <param name="ElapsedMs">Time from the request's arrival to its answer, queueing included.</param>
public sealed record ExplanationResponse(string Image, int Class, string Label, float Probability, string Method, float[][] Map, string Model, double ElapsedMs);
