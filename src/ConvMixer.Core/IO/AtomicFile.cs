using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace ConvMixerNet.Core;

/// <summary>
/// Writes a file so that readers only ever see the old content or the complete new content: the data goes to a
/// temporary file in the same folder, is flushed to disk, and replaces the target by a rename. Every file this
/// repository writes (checkpoints, model folders, metrics, plots) goes through here.
/// </summary>
/// <remarks>
/// Temporary files are named <c>.&lt;name&gt;.&lt;32 hex digits&gt;.tmp</c>. Those of writes in progress are tracked, so a
/// process that is being stopped can remove them (<see cref="AbandonInFlightWrites"/>); ones left by a process that was
/// killed outright are removed by the next write into the same folder.
/// </remarks>
public static partial class AtomicFile
{
    // A temporary file this old and not locked by its writer belongs to a write that will never finish.
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    private static readonly ConcurrentDictionary<string, byte> InFlight = new(StringComparer.Ordinal);
    private static volatile bool _abandoned;

    /// <summary>
    /// Removes the temporary files of the writes in progress and makes them, and every later write, fail with an
    /// <see cref="OperationCanceledException"/>: for a process that is being stopped (a signal, Ctrl-C), so it leaves
    /// neither a half-written target (targets are only ever renamed into place) nor a hidden temporary file.
    /// </summary>
    public static void AbandonInFlightWrites()
    {
        _abandoned = true;
        foreach (var temporary in InFlight.Keys)
        {
            TryDelete(temporary);
        }
    }

    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> puts into the stream; on any failure the target is untouched and the temporary file removed.</summary>
    /// <exception cref="DirectoryNotFoundException">The target's folder does not exist.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Cannot save '{path}': the folder '{folder}' does not exist.");
        }

        ThrowIfAbandoned(path);
        DeleteStaleTemporaryFiles(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        InFlight[temporary] = 0;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            ThrowIfAbandoned(path);
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (_abandoned && e is not OperationCanceledException)
        {
            TryDelete(temporary);
            throw new OperationCanceledException($"The write of '{path}' was stopped; the file is unchanged.", e);
        }
        catch
        {
            TryDelete(temporary); // no-op when it was never created or already renamed
            throw;
        }
        finally
        {
            InFlight.TryRemove(temporary, out _);
        }
    }

    /// <summary>Removes temporary files of this class's naming in <paramref name="folder"/> that no write is using any more.</summary>
    public static void DeleteStaleTemporaryFiles(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, ".*.tmp").Where(f => TemporaryName().IsMatch(Path.GetFileName(f))).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var candidate in candidates)
        {
            // A FIFO or device wearing the name is not ours, and opening it below could block for ever.
            if (InFlight.ContainsKey(candidate) || FileKind.IsSpecial(candidate) || DateTime.UtcNow - File.GetLastWriteTimeUtc(candidate) < StaleAfter)
            {
                continue;
            }

            try
            {
                // A live writer holds its temporary file exclusively; opening it so fails and leaves it alone.
                using (new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.None))
                {
                }

                File.Delete(candidate);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use, or not ours to remove.
            }
        }
    }

    private static void ThrowIfAbandoned(string path)
    {
        if (_abandoned)
        {
            throw new OperationCanceledException($"The write of '{path}' was not started: the process is stopping.");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the process is failing or stopping anyway.
        }
    }

    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporaryName();

    /// <summary>Writes <paramref name="bytes"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });
}
