namespace ConvMixerNet.Hub;

/// <summary>
/// One repository's part of the cache, in huggingface_hub's layout:
/// <c>models--ORG--NAME/blobs/{etag}</c> (the content, once), <c>snapshots/{commit}/{file}</c> (relative symbolic links
/// to the blobs, or copies), <c>refs/{revision}</c> (the commit a branch or tag pointed to), <c>.no_exist/{commit}/{file}</c>
/// (files the hub said it does not have), and <c>CACHE/.locks/models--ORG--NAME/{etag}.lock</c>. Every path it hands
/// out is checked to lie inside the repository's folder.
/// </summary>
internal sealed class HubCache
{
    public HubCache(string cacheDirectory, string repoId)
    {
        Root = Path.GetFullPath(cacheDirectory);
        RepoId = repoId;
        var folderName = FolderName(repoId);
        RepoFolder = Path.Combine(Root, folderName);
        LockFolder = Path.Combine(Root, ".locks", folderName);
    }

    public string Root { get; }

    public string RepoId { get; }

    /// <summary><c>CACHE/models--ORG--NAME</c>.</summary>
    public string RepoFolder { get; }

    private string LockFolder { get; }

    /// <summary>huggingface_hub's <c>repo_folder_name</c> for a model repository: <c>models--ORG--NAME</c>.</summary>
    public static string FolderName(string repoId) => string.Join("--", ["models", .. repoId.Split('/')]);

    public string BlobPath(string etag) => Inside(RepoFolder, "blobs", etag);

    public string LockPath(string etag) => Inside(LockFolder, etag + ".lock");

    public string SnapshotFolder(string commit) => Inside(RepoFolder, "snapshots", commit);

    public string PointerPath(string commit, string fileName) => Inside(RepoFolder, ["snapshots", commit, .. fileName.Split('/')]);

    private string RefPath(string revision) => Inside(RepoFolder, ["refs", .. revision.Split('/')]);

    private string MissingMarkerPath(string commit, string fileName) => Inside(RepoFolder, [".no_exist", commit, .. fileName.Split('/')]);

    /// <summary>The commit a revision stands for: itself when it is a commit hash, else what <c>refs/{revision}</c> holds.</summary>
    public string? CommitFor(string revision)
    {
        if (HubNames.IsCommitHash(revision))
        {
            return revision;
        }

        var path = RefPath(revision);
        try
        {
            // A ref that is not a commit hash (damaged, or written by something else) is as good as none.
            return File.Exists(path) && File.ReadAllText(path).Trim() is var commit && HubNames.IsCommitHash(commit) ? commit : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Records that <paramref name="revision"/> pointed to <paramref name="commit"/> (atomically; nothing is written when the ref already says so).</summary>
    public void WriteRef(string revision, string commit)
    {
        if (revision == commit || CommitFor(revision) == commit)
        {
            return;
        }

        var path = RefPath(revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temporary, commit);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>True when the hub said earlier that <paramref name="fileName"/> is not in <paramref name="commit"/>.</summary>
    public bool IsKnownMissing(string commit, string fileName) => File.Exists(MissingMarkerPath(commit, fileName));

    /// <summary>Remembers that <paramref name="fileName"/> is not in <paramref name="commit"/>, as huggingface_hub does; best effort.</summary>
    public void MarkMissing(string commit, string fileName)
    {
        var path = MissingMarkerPath(commit, fileName);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only saves a request next time.
        }
    }

    /// <summary>
    /// The snapshot for <paramref name="revision"/> when it holds every required file and one of the alternatives
    /// (the first present, in order), else null.
    /// </summary>
    public HubSnapshot? TryFind(string revision, HubModelFiles files)
    {
        if (CommitFor(revision) is not { } commit || !Directory.Exists(SnapshotFolder(commit)))
        {
            return null;
        }

        if (!files.Required.All(f => File.Exists(PointerPath(commit, f))))
        {
            return null;
        }

        var alternative = files.FirstOf.FirstOrDefault(f => File.Exists(PointerPath(commit, f)));
        if (files.FirstOf.Count > 0 && alternative is null)
        {
            return null;
        }

        return new HubSnapshot(SnapshotFolder(commit), RepoId, commit, [.. files.Required, .. alternative is null ? Array.Empty<string>() : [alternative]], FromCacheOnly: true);
    }

    /// <summary>
    /// Puts <paramref name="blob"/> at <paramref name="pointer"/>: a relative symbolic link (the cache can move), or a
    /// copy where links cannot be made or are switched off. Atomic: made under a temporary name, then renamed.
    /// </summary>
    public static void Link(string blob, string pointer, bool useSymlinks)
    {
        var folder = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(pointer)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var linked = false;
            if (useSymlinks)
            {
                try
                {
                    File.CreateSymbolicLink(temporary, Path.GetRelativePath(folder, blob));
                    linked = true;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
                {
                    // A file system without links (some network and FAT mounts): copy below.
                }
            }

            if (!linked)
            {
                File.Copy(blob, temporary);
            }

            File.Move(temporary, pointer, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // A path under the folder; names were validated, and this makes sure no combination of them escapes it.
    private static string Inside(string folder, params string[] parts)
    {
        var path = Path.GetFullPath(Path.Combine([folder, .. parts]));
        return path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new InvalidOperationException($"'{string.Join('/', parts)}' would leave the cache folder '{folder}'.");
    }
}
