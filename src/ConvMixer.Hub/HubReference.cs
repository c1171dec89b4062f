namespace ConvMixerNet.Hub;

/// <summary>
/// A model repository on a Hugging Face hub at one revision, written as timm writes it:
/// <c>hf-hub:ORG/NAME[@REVISION]</c> (the prefix is case-insensitive; timm's older <c>hf_hub:</c> works too), where the
/// revision is a branch, a tag or a commit hash and defaults to <c>main</c>.
/// </summary>
public sealed record HubReference
{
    /// <summary>The prefix that marks a hub reference.</summary>
    public const string Prefix = "hf-hub:";

    /// <summary>The revision used when none is given.</summary>
    public const string DefaultRevision = "main";

    /// <summary>A reference to <paramref name="repoId"/> at <paramref name="revision"/>.</summary>
    /// <exception cref="ArgumentException">The repository id or revision breaks the hub's naming rules (the message says which).</exception>
    public HubReference(string repoId, string revision = DefaultRevision)
    {
        ArgumentNullException.ThrowIfNull(repoId);
        ArgumentNullException.ThrowIfNull(revision);
        if (Problem(repoId, revision) is { } problem)
        {
            throw new ArgumentException(problem, HubNames.RepoIdProblem(repoId) is null ? nameof(revision) : nameof(repoId));
        }

        RepoId = repoId;
        Revision = revision;
    }

    /// <summary>The repository, <c>ORG/NAME</c>.</summary>
    public string RepoId { get; }

    /// <summary>The branch, tag or commit hash.</summary>
    public string Revision { get; }

    /// <summary>True when <paramref name="text"/> starts with the hub prefix (<c>hf-hub:</c> or timm's old <c>hf_hub:</c>).</summary>
    public static bool HasPrefix(string? text) =>
        text is not null && (text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || text.StartsWith("hf_hub:", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads <c>hf-hub:ORG/NAME[@REVISION]</c>.</summary>
    /// <exception cref="FormatException">The text has no hub prefix, more than one '@', or an invalid repository id or revision.</exception>
    public static HubReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!HasPrefix(text))
        {
            throw new FormatException($"'{text}' is not a hub reference: expected {Prefix}ORG/NAME[@REVISION].");
        }

        var body = text[Prefix.Length..];
        var parts = body.Split('@');
        if (parts.Length > 2 || parts[0].Length == 0 || (parts.Length == 2 && parts[1].Length == 0))
        {
            throw new FormatException($"'{text}' is not a hub reference: expected {Prefix}ORG/NAME[@REVISION], with at most one '@'.");
        }

        var (repoId, revision) = (parts[0], parts.Length == 2 ? parts[1] : DefaultRevision);
        return Problem(repoId, revision) is { } problem
            ? throw new FormatException($"'{text}' is not a valid hub reference: {problem}")
            : new HubReference(repoId, revision);
    }

    // What is wrong with a repository id and revision, or null when they follow the hub's naming rules.
    private static string? Problem(string repoId, string revision) =>
        HubNames.RepoIdProblem(repoId) is { } repoProblem ? $"'{repoId}' is not a hub repository id: {repoProblem}."
        : HubNames.RevisionProblem(revision) is { } revisionProblem ? $"'{revision}' is not a revision of '{repoId}': {revisionProblem}."
        : null;

    /// <summary>As <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string? text, out HubReference? reference)
    {
        reference = null;
        if (!HasPrefix(text))
        {
            return false;
        }

        try
        {
            reference = Parse(text!);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The reference as <c>hf-hub:ORG/NAME</c>, with <c>@REVISION</c> unless it is <c>main</c>.</summary>
    public override string ToString() => Prefix + RepoId + (Revision == DefaultRevision ? string.Empty : "@" + Revision);
}
