namespace ConvMixerNet.Hub;

/// <summary>A repository's files at one commit, in the cache.</summary>
/// <param name="Folder">The snapshot folder, <c>CACHE/models--ORG--NAME/snapshots/COMMIT</c>: load the model from here.</param>
/// <param name="RepoId">The repository, <c>ORG/NAME</c>.</param>
/// <param name="CommitHash">The commit the revision pointed to.</param>
/// <param name="Files">The files asked for that the snapshot holds, as repository paths.</param>
/// <param name="FromCacheOnly">True when the hub was not asked (offline, a cached commit, or the hub could not be reached).</param>
public sealed record HubSnapshot(string Folder, string RepoId, string CommitHash, IReadOnlyList<string> Files, bool FromCacheOnly);
