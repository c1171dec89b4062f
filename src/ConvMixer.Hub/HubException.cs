namespace ConvMixerNet.Hub;

/// <summary>
/// A download from the hub failed: the hub could not be reached (and the cache did not hold the files), it answered
/// with an error after the retries, or it sent something unusable. The message names the repository and says what to
/// do; the subclasses tell the cases a caller may want to handle apart.
/// </summary>
public class HubException : IOException
{
    /// <summary>A failure concerning <paramref name="repoId"/>.</summary>
    public HubException(string repoId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        RepoId = repoId;
    }

    /// <summary>The repository, <c>ORG/NAME</c>.</summary>
    public string RepoId { get; }
}
