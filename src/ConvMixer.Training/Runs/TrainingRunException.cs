namespace ConvMixerNet.Training;

/// <summary>A run cannot start or continue in its folder; the reasons are data for the caller to word.</summary>
public sealed class TrainingRunException : Exception
{
    /// <summary>Creates the exception for <paramref name="problems"/> and resume <paramref name="conflicts"/>.</summary>
    public TrainingRunException(IReadOnlyList<string> problems, IReadOnlyList<ResumeConflict> conflicts)
        : base(string.Join(" ", problems.Concat(conflicts.Select(c => c.Description))))
    {
        Problems = problems;
        Conflicts = conflicts;
    }

    /// <summary>What is wrong with the folder or the request, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Options a resumed run was asked to change although it must keep them.</summary>
    public IReadOnlyList<ResumeConflict> Conflicts { get; }
}
