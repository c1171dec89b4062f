namespace ConvMixerNet.Serving;

/// <summary>The body of every error answer: what went wrong, in words, never a stack trace.</summary>
public sealed record ErrorResponse(string Error);
