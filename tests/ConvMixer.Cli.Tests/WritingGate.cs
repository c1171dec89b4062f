using System.Diagnostics;

namespace ConvMixerNet.Cli.Tests;

/// <summary>
/// Freezes a process (SIGSTOP) the moment the temporary file of an atomic write (<c>.name.&lt;hex&gt;.tmp</c>) appears in
/// a folder, so that a test can signal it while the write is provably in flight, whatever the machine's speed.
/// </summary>
internal sealed class WritingGate : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly TaskCompletionSource<int> _processId = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _frozen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WritingGate(string folder)
    {
        // inotify reports the file's creation even when the write is over by the time the event is handled.
        _watcher = new FileSystemWatcher(folder, ".*.tmp");
        _watcher.Created += OnCreated;
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Starts watching <paramref name="folder"/>; start the process after this.</summary>
    public static WritingGate Watch(string folder) => new(folder);

    /// <summary>
    /// Waits until <paramref name="process"/> starts a write into the folder and is frozen there, and returns the
    /// temporary file's path; null when the process ended first or <paramref name="timeout"/> passed.
    /// </summary>
    public string? FreezeAtFirstWrite(Process process, TimeSpan timeout)
    {
        _processId.TrySetResult(process.Id);
        Task.WaitAny([_frozen.Task, process.WaitForExitAsync()], timeout);
        return _frozen.Task.IsCompletedSuccessfully ? _frozen.Task.Result : null;
    }

    public void Dispose() => _watcher.Dispose();

    private void OnCreated(object sender, FileSystemEventArgs e)
    {
        if (_frozen.Task.IsCompleted)
        {
            return;
        }

        try
        {
            // The process is started (and its id given) long before it writes anything.
            NativeFiles.Signal(_processId.Task.Result, Signals.Stop);
        }
        catch (IOException)
        {
            // It has already ended: the test sees that and fails with its exit code.
        }

        _frozen.TrySetResult(e.FullPath);
    }
}
