namespace ConvMixerNet.Training;

/// <summary>
/// A run folder opened for training: held by a <see cref="RunFolderLock"/> until disposed, either continuing the run
/// in it (<see cref="TrainingRequest.Resume"/>: its stored options with what may change) or starting a new one (a
/// previous run's files are replaced only with <see cref="TrainingRequest.Force"/>, and cleared before the first epoch
/// so a crash cannot leave the old checkpoint to be resumed).
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly RunFolderLock _lock;

    private TrainingRun(RunFolderLock folderLock, TrainerOptions options, CheckpointState? saved, int imageSize, string? note)
    {
        _lock = folderLock;
        Options = options;
        Saved = saved;
        ImageSize = imageSize;
        Note = note;
    }

    /// <summary>The files a run writes into its folder (an application adds its own, such as plots).</summary>
    public static IReadOnlyList<string> Files { get; } = [TrainingCheckpoint.FileName, MetricsCsv.FileName, ModelFolder.ConfigFileName, ModelFolder.SafetensorsFileName];

    /// <summary>The run folder.</summary>
    public string Folder => _lock.Folder;

    /// <summary>The trainer state to resume from (for <see cref="Trainer.Resume"/>).</summary>
    public string CheckpointPath => Path.Combine(Folder, TrainingCheckpoint.FileName);

    /// <summary>The options to train with, <see cref="TrainerOptions.OutputDirectory"/> set to the folder.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The state of the run being continued, or null for a new run.</summary>
    public CheckpointState? Saved { get; }

    /// <summary>The side of the images to make from an image folder (a continued run's own).</summary>
    public int ImageSize { get; }

    /// <summary>What a changed value does to a continued run (a schedule recomputed over more epochs), or null.</summary>
    public string? Note { get; }

    /// <summary>Opens the run folder of <paramref name="request"/>.</summary>
    /// <param name="request">The run asked for.</param>
    /// <param name="applicationFiles">Files the application writes into the folder besides <see cref="Files"/>, which mark and are cleared with a previous run.</param>
    /// <exception cref="TrainingRunException">The folder or request does not allow it, or a resume conflicts with the run's settings.</exception>
    /// <exception cref="IOException">Another process holds the folder.</exception>
    public static TrainingRun Open(TrainingRequest request, IReadOnlyCollection<string>? applicationFiles = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Problems(request) is [_, ..] problems)
        {
            throw new TrainingRunException(problems, []);
        }

        // Held until the run ends, so a second run on this folder fails now instead of interleaving its files with ours.
        var folderLock = RunFolderLock.Acquire(request.Output);
        try
        {
            return request.Resume ? Continue(request, folderLock) : Start(request, folderLock, [.. Files, .. applicationFiles ?? []]);
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();

    private static List<string> Problems(TrainingRequest request)
    {
        var problems = new List<string>();
        if (request.Resume && request.Force)
        {
            problems.Add("--resume continues the run in --out and --force replaces it; pass one of them.");
        }

        if (File.Exists(request.Output))
        {
            problems.Add($"--out '{request.Output}' is a file; give a folder for the run's outputs.");
        }
        else if (!IdxLoader.IsIdxDirectory(request.Data) && IsWithin(request.Output, request.Data))
        {
            problems.Add($"--out '{request.Output}' lies inside --data '{request.Data}': the next run would train on this run's outputs as a class. Choose an --out outside the data.");
        }

        return problems;
    }

    private static TrainingRun Continue(TrainingRequest request, RunFolderLock folderLock)
    {
        var checkpoint = Path.Combine(request.Output, TrainingCheckpoint.FileName);
        if (!File.Exists(checkpoint))
        {
            throw new TrainingRunException([$"--resume: there is no {TrainingCheckpoint.FileName} in '{request.Output}'."], []);
        }

        var saved = TrainingCheckpoint.ReadState(checkpoint);
        var plan = ResumeCompatibility.Plan(request, saved);
        if (plan.Conflicts.Count > 0 || plan.Problem is not null)
        {
            throw new TrainingRunException(plan.Problem is { } problem && plan.Conflicts.Count == 0 ? [problem] : [], plan.Conflicts);
        }

        return new TrainingRun(folderLock, plan.Options with { OutputDirectory = request.Output }, saved, saved.Options.Data?.InputSize ?? request.ImageSize, plan.Note);
    }

    private static TrainingRun Start(TrainingRequest request, RunFolderLock folderLock, IReadOnlyList<string> files)
    {
        var folder = request.Output;
        string[] folders = [ModelEma.RunFolderName, TrainingCheckpoint.StagingFolderName];
        var previous = files.Where(name => File.Exists(Path.Combine(folder, name)))
            .Concat(folders.Where(name => Directory.Exists(Path.Combine(folder, name))).Select(name => name + "/"))
            .ToList();
        if (previous.Count > 0 && !request.Force)
        {
            throw new TrainingRunException([$"--out '{folder}' holds a previous run ({string.Join(", ", previous)}); pass --resume to continue it or --force to replace it."], []);
        }

        foreach (var name in files)
        {
            File.Delete(Path.Combine(folder, name));
        }

        // A stale EMA would otherwise sit next to the new run's weights as if it were theirs.
        foreach (var name in folders.Where(name => Directory.Exists(Path.Combine(folder, name))))
        {
            Directory.Delete(Path.Combine(folder, name), recursive: true);
        }

        return new TrainingRun(folderLock, request.Options with { OutputDirectory = folder }, null, request.ImageSize, null);
    }

    private static bool IsWithin(string path, string folder)
    {
        var (inner, outer) = (Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        return inner == outer || inner.StartsWith(outer + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
