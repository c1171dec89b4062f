namespace ConvMixerNet.Core;

/// <summary>What a checkpoint load did, key by key (timm's key names).</summary>
/// <param name="Path">The file that was read.</param>
/// <param name="Format">The format detected from the file's content.</param>
/// <param name="LoadedKeys">Model keys whose values came from the checkpoint.</param>
/// <param name="MissingKeys">Model keys the checkpoint lacks; their values were left as they were.</param>
/// <param name="UnexpectedKeys">Checkpoint keys the model does not have; ignored.</param>
/// <param name="SkippedKeys">Keys present in both but not loaded (a classifier with a different class count); left as they were.</param>
public sealed record CheckpointLoadResult(
    string Path,
    CheckpointFormat Format,
    IReadOnlyList<string> LoadedKeys,
    IReadOnlyList<string> MissingKeys,
    IReadOnlyList<string> UnexpectedKeys,
    IReadOnlyList<string> SkippedKeys);
