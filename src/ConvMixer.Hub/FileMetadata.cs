namespace ConvMixerNet.Hub;

/// <summary>What the hub's <c>HEAD …/resolve/{revision}/{file}</c> says about a file, validated.</summary>
/// <param name="CommitHash">The commit the revision points to (<c>X-Repo-Commit</c>).</param>
/// <param name="Etag">The blob's name: <c>X-Linked-Etag</c>, else <c>ETag</c>; the sha256 of a large file.</param>
/// <param name="Size">The file's size: <c>X-Linked-Size</c>, else <c>Content-Length</c>.</param>
/// <param name="Location">Where to GET it: the storage host a large file redirects to, else the resolve URL.</param>
/// <param name="SendToken">False when <paramref name="Location"/> is on another host: the token is for the hub only.</param>
internal sealed record FileMetadata(string CommitHash, string Etag, long Size, Uri Location, bool SendToken);
