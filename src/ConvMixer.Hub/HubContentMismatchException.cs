namespace ConvMixerNet.Hub;

/// <summary>
/// A downloaded file's content did not match what the hub announced (its sha256, which is the etag of a large file,
/// or its size). The bytes were deleted: nothing of them is in the cache.
/// </summary>
public sealed class HubContentMismatchException(string repoId, string fileName, string message) : HubException(repoId, message)
{
    /// <summary>The file whose content did not match.</summary>
    public string FileName { get; } = fileName;
}
