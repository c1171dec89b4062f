namespace ConvMixerNet.Vision;

/// <summary>
/// Finds files under a folder recursively, safely: a folder reached through a symbolic link is searched only if its
/// real path has not been searched yet (so link loops end and nothing is listed twice), each real file is listed
/// once, the order is deterministic, and entries that cannot be used are reported instead of silently dropped.
/// Image prediction and image-folder training both find their files here.
/// </summary>
public static class FolderScanner
{
    /// <summary>Why a name decoded with replacement characters cannot be opened by .NET.</summary>
    public const string InvalidNameReason = "its name is not valid UTF-8, which .NET cannot open; rename it";

    private static readonly EnumerationOptions OneLevel = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>Finds the files under <paramref name="root"/> whose extension is one of <paramref name="extensions"/>.</summary>
    /// <param name="root">The folder to search.</param>
    /// <param name="extensions">Extensions with the dot, compared case-insensitively by the set.</param>
    /// <param name="skipFolders">Folders not to enter even when a link leads into them (the other classes of a data set).</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> is not a folder.</exception>
    public static FolderScan FindFiles(string root, IReadOnlySet<string> extensions, IEnumerable<string>? skipFolders = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(extensions);
        var realRoot = Directory.Exists(root) ? RealPath.Of(root) : null;
        if (realRoot is null)
        {
            throw new DirectoryNotFoundException($"The folder '{root}' does not exist.");
        }

        var skipped = (skipFolders ?? []).Select(RealPath.Of).OfType<string>().Where(f => !RealPath.IsWithin(realRoot, f)).ToArray();
        var visitedFolders = new HashSet<string>(StringComparer.Ordinal) { realRoot };
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<string>();
        var problems = new List<ScanProblem>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            FileSystemInfo[] entries;
            try
            {
                entries = [.. new DirectoryInfo(folder).EnumerateFileSystemInfos("*", OneLevel).OrderBy(e => e.Name, StringComparer.Ordinal)];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add(new ScanProblem(folder, $"the folder cannot be searched ({e.Message})"));
                continue;
            }

            // Reverse, so the stack visits sub-folders in name order.
            foreach (var entry in Enumerable.Reverse(entries))
            {
                var path = Path.Combine(folder, entry.Name);
                var undecodable = entry.Name.Contains('\uFFFD', StringComparison.Ordinal) && !File.Exists(path) && !Directory.Exists(path);
                if (entry is DirectoryInfo || Directory.Exists(path))
                {
                    if (undecodable)
                    {
                        problems.Add(new ScanProblem(path, "a folder that cannot be searched: " + InvalidNameReason));
                        continue;
                    }

                    var real = RealPath.Of(path);
                    if (real is null)
                    {
                        problems.Add(new ScanProblem(path, "the folder cannot be resolved (a broken link, or no permission)"));
                    }
                    else if (!skipped.Any(s => RealPath.IsWithin(real, s)) && visitedFolders.Add(real))
                    {
                        pending.Push(path);
                    }

                    continue;
                }

                if (!extensions.Contains(Path.GetExtension(entry.Name)))
                {
                    continue;
                }

                if (undecodable)
                {
                    problems.Add(new ScanProblem(path, "the file cannot be opened: " + InvalidNameReason));
                    continue;
                }

                // A broken link has no real path; it is listed, so reading it reports the missing target.
                if (seenFiles.Add(RealPath.Of(path) ?? path))
                {
                    files.Add(path);
                }
            }
        }

        files.Sort(StringComparer.Ordinal);
        return new FolderScan(files, problems);
    }
}
