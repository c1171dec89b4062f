using Polly;
using Polly.Retry;

namespace ConvMixerNet.Hub;

/// <summary>
/// An exclusive lock on one blob, held across processes through a lock file (<c>CACHE/.locks/models--ORG--NAME/{etag}.lock</c>,
/// where huggingface_hub keeps its own). .NET takes <see cref="FileShare.None"/> on Unix with <c>flock</c>, the call
/// Python's <c>filelock</c> uses, so a Python process downloading the same blob waits for this one and the reverse. The
/// lock goes with the process: a crashed holder blocks nobody.
/// </summary>
internal sealed class BlobLock : IDisposable
{
    private static readonly ResiliencePipeline Waiting = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<IOException>(IsHeldElsewhere),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Constant,
            Delay = TimeSpan.FromMilliseconds(100),
        })
        .Build();

    private readonly FileStream _handle;

    private BlobLock(FileStream handle) => _handle = handle;

    /// <summary>Waits until the lock is free (or <paramref name="cancellationToken"/> fires), then holds it until disposed.</summary>
    public static async Task<BlobLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var handle = await Waiting.ExecuteAsync(
            static (path, _) => ValueTask.FromResult(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)),
            path,
            cancellationToken).ConfigureAwait(false);
        return new BlobLock(handle);
    }

    public void Dispose() => _handle.Dispose();

    // How .NET reports a lock held elsewhere: ERROR_SHARING_VIOLATION/ERROR_LOCK_VIOLATION on Windows, flock's
    // EWOULDBLOCK as the raw errno on Unix (11 on Linux, 35 on macOS and the BSDs).
    private static bool IsHeldElsewhere(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 32 or 33 : e.HResult == (OperatingSystem.IsLinux() ? 11 : 35);
}
