using System.Text.RegularExpressions;

namespace ConvMixerNet.Hub;

/// <summary>
/// The rules every name must pass before it becomes part of a path in the cache: repository ids (huggingface_hub's
/// <c>validate_repo_id</c>), revisions, file names in a repository, and the commit hashes and etags the server sends.
/// What passes cannot leave the cache folder: no separators where none belong, no <c>..</c>, no absolute paths.
/// </summary>
internal static partial class HubNames
{
    /// <summary>The longest revision accepted (git limits ref names to far less than a path).</summary>
    public const int MaxRevisionLength = 255;

    /// <summary>
    /// A repository id: <c>name</c> or <c>namespace/name</c>, each of ASCII letters, digits, '-', '_' and '.', the
    /// name at most 96 characters, neither starting nor ending with '-' or '.'; no "--" or ".." anywhere (the cache
    /// joins the parts with "--") and no trailing ".git".
    /// </summary>
    public static string? RepoIdProblem(string repoId)
    {
        if (repoId.Count(c => c == '/') > 1)
        {
            return "a repository id is 'name' or 'namespace/name'";
        }

        if (!RepoIdPattern().IsMatch(repoId))
        {
            return "a repository id uses letters, digits, '-', '_' and '.', does not start or end a part with '-' or '.', and its name has at most 96 characters";
        }

        if (repoId.Contains("--", StringComparison.Ordinal) || repoId.Contains("..", StringComparison.Ordinal))
        {
            return "a repository id cannot contain '--' or '..'";
        }

        return repoId.EndsWith(".git", StringComparison.Ordinal) ? "a repository id cannot end with '.git'" : null;
    }

    /// <summary>
    /// A branch, tag or commit: '/'-separated parts of letters, digits, '-', '_' and '.', none empty, none starting
    /// with '.' (so neither "." nor ".."), at most <see cref="MaxRevisionLength"/> characters.
    /// </summary>
    public static string? RevisionProblem(string revision)
    {
        if (revision.Length is 0 or > MaxRevisionLength)
        {
            return $"a revision has 1 to {MaxRevisionLength} characters";
        }

        return RevisionPattern().IsMatch(revision)
            ? null
            : "a revision is a branch, tag or commit: letters, digits, '-', '_', '.' and '/', no part empty or starting with '.'";
    }

    /// <summary>
    /// A file in a repository: a relative POSIX path whose parts are not empty, ".", ".." or hidden, without
    /// backslashes, colons or control characters (so no absolute, drive or UNC path on any system).
    /// </summary>
    public static string? FileNameProblem(string fileName)
    {
        if (fileName.Length is 0 or > 1024)
        {
            return "a file name has 1 to 1024 characters";
        }

        if (fileName.Any(c => char.IsControl(c) || c is '\\' or ':'))
        {
            return "a file name cannot contain backslashes, colons or control characters";
        }

        return fileName.Split('/').Any(part => part.Length == 0 || part[0] == '.')
            ? "a file name is a relative path whose parts are not empty and do not start with '.' (no '..')"
            : null;
    }

    /// <summary>A full commit hash: 40 lowercase hexadecimal digits, as the hub sends in X-Repo-Commit.</summary>
    public static bool IsCommitHash(string value) => CommitPattern().IsMatch(value);

    /// <summary>A sha256 digest (64 lowercase hexadecimal digits): the etag of a large (LFS) file, its content's hash.</summary>
    public static bool IsSha256(string value) => Sha256Pattern().IsMatch(value);

    /// <summary>
    /// An etag fit to name a blob: letters, digits, '-' and '_' only, 1 to 128 characters. The hub's etags are git
    /// hashes (40 hex digits) and sha256 digests (64); no dot means no "..", no ".incomplete" and no ".lock" names.
    /// </summary>
    public static bool IsSafeEtag(string value) => EtagPattern().IsMatch(value);

    /// <summary>The etag as a name: without the weak marker <c>W/</c> and the quotes (huggingface_hub's <c>_normalize_etag</c>).</summary>
    public static string NormalizeEtag(string etag)
    {
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return value.Trim('"');
    }

    [GeneratedRegex(@"^([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?/)?[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?\z")]
    private static partial Regex RepoIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\z")]
    private static partial Regex RevisionPattern();

    [GeneratedRegex(@"^[0-9a-f]{40}\z")]
    private static partial Regex CommitPattern();

    [GeneratedRegex(@"^[0-9a-f]{64}\z")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,128}\z")]
    private static partial Regex EtagPattern();
}
