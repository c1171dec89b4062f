using System.Globalization;

namespace ConvMixerNet.Training;

/// <summary>
/// Exclusive use of a run's output folder: while one is held, no other process (or other lock in this process) can
/// take it, so two runs never write their checkpoints and metrics into one folder in turn. The lock file holds the
/// holder's process id for the message of whoever is refused; the lock itself goes with the process, so a killed run
/// leaves nothing that blocks the next.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>Name of the lock file in the folder.</summary>
    public const string FileName = "run.lock";

    // The region locked lies past the text, so others can still read the holder's pid (locks are advisory on Unix).
    private const long LockedOffset = 1 << 20;

    private static readonly HashSet<string> HeldInThisProcess = new(StringComparer.Ordinal);

    private readonly FileStream _stream;
    private readonly string _key;

    private RunFolderLock(FileStream stream, string key, string folder)
    {
        _stream = stream;
        _key = key;
        Folder = folder;
    }

    /// <summary>The locked folder.</summary>
    public string Folder { get; }

    /// <summary>Takes the lock on <paramref name="folder"/> (created if needed), or fails at once.</summary>
    /// <exception cref="IOException">Another run holds the folder; the message names it and the holder's process id.</exception>
    public static RunFolderLock Acquire(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        var key = Path.GetFullPath(path);
        lock (HeldInThisProcess)
        {
            // A second lock of this process would succeed at the OS level (and release the first when closed).
            if (!HeldInThisProcess.Add(key))
            {
                throw Busy(folder, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            }
        }

        FileStream? stream = null;
        try
        {
            if (OperatingSystem.IsMacOS())
            {
                // No region locks there: the whole file is locked, so the holder's pid cannot be read.
                stream = OpenExclusive(path, folder);
            }
            else
            {
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                try
                {
                    stream.Lock(LockedOffset, 1);
                }
                catch (IOException)
                {
                    throw Busy(folder, ReadHolder(path));
                }
            }

            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            stream.Write(pid);
            stream.Flush();
            return new RunFolderLock(stream, key, folder);
        }
        catch
        {
            stream?.Dispose();
            lock (HeldInThisProcess)
            {
                HeldInThisProcess.Remove(key);
            }

            throw;
        }
    }

    /// <summary>Releases the lock (the file stays; the next run takes it over).</summary>
    public void Dispose()
    {
        _stream.Dispose();
        lock (HeldInThisProcess)
        {
            HeldInThisProcess.Remove(_key);
        }
    }

    private static IOException Busy(string folder, string holder) =>
        new($"The run folder '{folder}' is in use by another training run (process {holder}); wait for it to finish or choose another output folder.");

    private static FileStream OpenExclusive(string path, string folder)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw Busy(folder, "unknown");
        }
    }

    private static string ReadHolder(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length > 0 && text.Length < 16 ? text : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
