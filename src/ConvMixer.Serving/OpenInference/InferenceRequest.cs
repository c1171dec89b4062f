namespace ConvMixerNet.Serving;

/// <summary>A checked Open Inference Protocol request: the images as model input, and the outputs asked for.</summary>
/// <param name="Id">The client's id, echoed in the answer.</param>
/// <param name="Values">The model input <c>[Count, C, H, W]</c>, row-major.</param>
/// <param name="Count">Images in the batch.</param>
/// <param name="Outputs">The outputs to answer, in the order asked.</param>
public sealed record InferenceRequest(string? Id, float[] Values, int Count, IReadOnlyList<RequestedOutput> Outputs);

/// <summary>One output asked for.</summary>
/// <param name="Name"><c>logits</c> or <c>probabilities</c>.</param>
/// <param name="Classification">Top classes as BYTES <c>"value:index:label"</c> (Triton's classification extension) instead of the tensor.</param>
/// <param name="Binary">Answer the data as binary after the JSON (Triton's binary tensor data extension).</param>
public sealed record RequestedOutput(string Name, int? Classification, bool Binary);
