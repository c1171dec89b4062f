namespace ConvMixerNet.Cli;

/// <summary>An argument that parsed but makes no sense (an unknown preset, no images); reported without a stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);
