namespace ConvMixerNet.Serving;

/// <summary>Which weights are being served: the start of the weights file's SHA-256 and when they were loaded.</summary>
/// <param name="Sha256">The first 12 hex digits of the weights file's SHA-256 (null for a model that is not a local file).</param>
/// <param name="LoadedAt">When the model was loaded.</param>
public sealed record WeightsVersion(string? Sha256, DateTimeOffset LoadedAt);
