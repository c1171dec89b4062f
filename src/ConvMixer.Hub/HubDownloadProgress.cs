namespace ConvMixerNet.Hub;

/// <summary>How far the download of one file has come.</summary>
/// <param name="RepoId">The repository, <c>ORG/NAME</c>.</param>
/// <param name="FileName">The file in the repository.</param>
/// <param name="BytesDone">Bytes on disk so far (a resumed download starts where the last one stopped).</param>
/// <param name="TotalBytes">The file's size, as the hub announced it.</param>
public readonly record struct HubDownloadProgress(string RepoId, string FileName, long BytesDone, long TotalBytes);
