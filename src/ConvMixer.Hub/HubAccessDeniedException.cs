namespace ConvMixerNet.Hub;

/// <summary>
/// The repository is gated or private and the request carried no token with access (HTTP 401 or 403, or
/// <c>X-Error-Code: GatedRepo</c>): set <c>HF_TOKEN</c>, and accept the repository's terms on the hub.
/// </summary>
public sealed class HubAccessDeniedException(string repoId, string message) : HubException(repoId, message);
