namespace ConvMixerNet.Hub;

/// <summary>The repository exists but has no such branch, tag or commit (<c>X-Error-Code: RevisionNotFound</c>).</summary>
public sealed class HubRevisionNotFoundException(string repoId, string revision, string message) : HubException(repoId, message)
{
    /// <summary>The revision asked for.</summary>
    public string Revision { get; } = revision;
}
