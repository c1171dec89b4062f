namespace ConvMixerNet.Hub;

/// <summary>The hub has no such repository, or hides it from this caller (<c>X-Error-Code: RepoNotFound</c>).</summary>
public sealed class HubRepositoryNotFoundException(string repoId, string message) : HubException(repoId, message);
