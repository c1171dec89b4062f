namespace ConvMixerNet.Vision;

/// <summary>A file or folder found by a scan that cannot be used.</summary>
/// <param name="Path">The entry, as far as its name can be shown.</param>
/// <param name="Reason">Why it cannot be used.</param>
public sealed record ScanProblem(string Path, string Reason);
