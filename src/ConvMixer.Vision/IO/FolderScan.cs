namespace ConvMixerNet.Vision;

/// <summary>What <see cref="FolderScanner.FindFiles"/> found: the files, and what could not be searched or opened.</summary>
/// <param name="Files">Each real file once, in ordinal order of the paths.</param>
/// <param name="Problems">Entries that exist but cannot be used (unreadable folders, names .NET cannot open), with the reason.</param>
public sealed record FolderScan(IReadOnlyList<string> Files, IReadOnlyList<ScanProblem> Problems);
