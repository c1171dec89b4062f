namespace ConvMixerNet.Serving;

/// <summary>
/// Calls back when the weights file or model folder changes: written, or replaced by a rename (as deploy tools do).
/// Watches the parent folder, so a folder renamed over the old one is seen too.
/// </summary>
internal sealed class WeightsWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly string _path;

    public WeightsWatcher(string path, Action changed)
    {
        _path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!)
        {
            IncludeSubdirectories = Directory.Exists(_path),
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        void OnEvent(string? fullPath)
        {
            if (fullPath is not null && (fullPath == _path || fullPath.StartsWith(_path + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                changed();
            }
        }

        _watcher.Changed += (_, e) => OnEvent(e.FullPath);
        _watcher.Created += (_, e) => OnEvent(e.FullPath);
        _watcher.Renamed += (_, e) => OnEvent(e.FullPath);
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose() => _watcher.Dispose();
}
