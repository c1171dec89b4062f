namespace ConvMixerNet.Hub;

/// <summary>A failure worth another try: a server error (408, 429, 5xx), a dropped connection, a stalled transfer.</summary>
internal sealed class HubTransientException(string repoId, string message, Exception? innerException = null) : HubException(repoId, message, innerException);
