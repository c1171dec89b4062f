namespace ConvMixerNet.Cli;

/// <summary>The image arguments of predict and explain: files and folders, and how their paths are shown.</summary>
internal static class ImageInputs
{
    /// <summary>
    /// Files as given (whatever their extension), and image files found under folders, each real file once, in a
    /// stable order; entries of folders that cannot be read are returned apart, to be reported with the results.
    /// </summary>
    public static (List<string> Paths, List<ScanProblem> Unusable) Collect(string[] inputs)
    {
        var paths = new List<string>();
        var unusable = new List<ScanProblem>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var scan = FolderScanner.FindFiles(input, ImageDecoder.FileExtensions);
                paths.AddRange(scan.Files);
                unusable.AddRange(scan.Problems);
            }
            else
            {
                paths.Add(input); // a missing file becomes an error result, reported with the others
            }
        }

        return paths.Count + unusable.Count > 0 ? (paths, unusable) : throw new UsageException($"no images found in {string.Join(", ", inputs)}.");
    }

    /// <summary>The path as the user gave it, or relative to the current folder when that is shorter.</summary>
    public static string DisplayPath(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(path));
        return relative.Length < path.Length ? relative : path;
    }
}
