namespace ConvMixerNet.Hub;

/// <summary>The repository has no such file at that revision (<c>X-Error-Code: EntryNotFound</c>).</summary>
public sealed class HubEntryNotFoundException(string repoId, string fileName, string message) : HubException(repoId, message)
{
    /// <summary>The file asked for.</summary>
    public string FileName { get; } = fileName;
}
