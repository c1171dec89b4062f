using Polly;
using Polly.Retry;

namespace ConvMixerNet.Hub;

/// <summary>
/// Downloads a repository's files from a Hugging Face hub into the shared cache and returns the local snapshot folder,
/// as <c>huggingface_hub.hf_hub_download</c> does: a file already in the cache is never downloaded again, a cache
/// written by Python's <c>huggingface_hub</c> or the JavaScript <c>@huggingface/hub</c> client is used as it is, and when
/// the hub cannot be reached the cached snapshot of the revision is used (with a one-line warning).
/// </summary>
/// <example>
/// <code>
/// using var hub = new HubClient();   // HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE, HF_TOKEN
/// var snapshot = await hub.DownloadModelAsync(HubReference.Parse("hf-hub:timm/convmixer_768_32.in1k"));
/// Console.WriteLine(snapshot.Folder);   // …/hub/models--timm--convmixer_768_32.in1k/snapshots/{commit}
/// </code>
/// </example>
public sealed class HubClient : IDisposable
{
    private readonly HubOptions _options;
    private readonly HubHttp _http;
    private readonly ResiliencePipeline _retries;

    /// <summary>A client with <paramref name="options"/> (default: <see cref="HubOptions.FromEnvironment"/>).</summary>
    /// <exception cref="ArgumentException">The endpoint is not an http(s) URL, or a retry or timeout setting is out of range.</exception>
    public HubClient(HubOptions? options = null)
    {
        _options = options ?? HubOptions.FromEnvironment();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxRetries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.RequestTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.StallTimeout, TimeSpan.Zero, nameof(options));
        _http = new HubHttp(_options);
        _retries = _options.MaxRetries == 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HubTransientException>(),
                MaxRetryAttempts = _options.MaxRetries,
                Delay = _options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxDelay = TimeSpan.FromSeconds(30),
            }).Build();
    }

    /// <summary>The settings in use.</summary>
    public HubOptions Options => _options;

    /// <summary>
    /// Makes sure the cache holds <paramref name="files"/> (default <see cref="HubModelFiles.ConfigAndWeights"/>) of
    /// the repository at the reference's revision, downloading what is missing, and returns the snapshot folder.
    /// </summary>
    /// <param name="reference">The repository and revision.</param>
    /// <param name="files">Which files the model needs.</param>
    /// <param name="progress">Receives the bytes done per file while downloading.</param>
    /// <param name="cancellationToken">Stops the download; what was received stays for the next try to resume.</param>
    /// <exception cref="HubRepositoryNotFoundException">No such repository (or a private one, without a token).</exception>
    /// <exception cref="HubRevisionNotFoundException">No such branch, tag or commit.</exception>
    /// <exception cref="HubEntryNotFoundException">A required file, or every alternative, is missing.</exception>
    /// <exception cref="HubAccessDeniedException">The repository is gated or private: set <c>HF_TOKEN</c>.</exception>
    /// <exception cref="HubContentMismatchException">The bytes received did not match the hub's sha256 or size; they were deleted.</exception>
    /// <exception cref="HubException">The hub could not be reached (after retries) and the cache does not hold the files, offline mode without them in the cache, or an unusable answer.</exception>
    public async Task<HubSnapshot> DownloadModelAsync(
        HubReference reference, HubModelFiles? files = null, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        files ??= HubModelFiles.ConfigAndWeights;
        CheckFiles(files);
        var cache = new HubCache(_options.CacheDirectory, reference.RepoId);

        if (_options.Offline)
        {
            return cache.TryFind(reference.Revision, files) ?? throw new HubException(reference.RepoId,
                $"HF_HUB_OFFLINE is set and the cache '{cache.Root}' does not hold {reference} ({Describe(files)}); download it once with the network on.");
        }

        // A commit already in the cache cannot have changed: no request at all.
        if (HubNames.IsCommitHash(reference.Revision) && cache.TryFind(reference.Revision, files) is { } pinned)
        {
            return pinned;
        }

        var firstFile = files.Required.Count > 0 ? files.Required[0] : files.FirstOf[0];
        FileMetadata first;
        try
        {
            // One try first: when the hub is down and the cache has the snapshot, waiting for retries helps nobody.
            first = await HeadAsync(reference.RepoId, reference.Revision, firstFile, ResiliencePipeline.Empty, cancellationToken).ConfigureAwait(false);
        }
        catch (HubException e) when (e is not (HubRevisionNotFoundException or HubEntryNotFoundException))
        {
            if (cache.TryFind(reference.Revision, files) is { } cached)
            {
                _options.Warn($"cannot reach the hub for {reference} ({FirstLine(e)}); using the cached snapshot {cached.CommitHash}.");
                return cached;
            }

            if (e.InnerException is not HubTransientException)
            {
                throw;
            }

            first = await HeadAsync(reference.RepoId, reference.Revision, firstFile, _retries, cancellationToken).ConfigureAwait(false);
        }

        var commit = first.CommitHash;
        cache.WriteRef(reference.Revision, commit);

        // The rest is asked at the commit, so a branch that moves meanwhile cannot mix two versions.
        var found = new List<string>();
        foreach (var name in files.Required)
        {
            var metadata = name == firstFile ? first : await HeadAsync(reference.RepoId, commit, name, _retries, cancellationToken).ConfigureAwait(false);
            await EnsureFileAsync(cache, reference.RepoId, commit, name, metadata, progress, cancellationToken).ConfigureAwait(false);
            found.Add(name);
        }

        if (files.FirstOf.Count > 0)
        {
            found.Add(await EnsureFirstOfAsync(cache, reference.RepoId, commit, files.FirstOf, name => name == firstFile ? first : null, progress, cancellationToken).ConfigureAwait(false));
        }

        return new HubSnapshot(cache.SnapshotFolder(commit), reference.RepoId, commit, found, FromCacheOnly: false);
    }

    /// <summary>As <see cref="DownloadModelAsync"/>, blocking.</summary>
    public HubSnapshot DownloadModel(HubReference reference, HubModelFiles? files = null, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => DownloadModelAsync(reference, files, progress, cancellationToken), cancellationToken).GetAwaiter().GetResult();

    /// <summary>Releases the HTTP connections.</summary>
    public void Dispose() => _http.Dispose();

    // The first alternative the commit has: from the cache when it holds one, else asking the hub in order.
    private async Task<string> EnsureFirstOfAsync(
        HubCache cache, string repoId, string commit, IReadOnlyList<string> names, Func<string, FileMetadata?> known, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        foreach (var name in names)
        {
            if (File.Exists(cache.PointerPath(commit, name)))
            {
                return name;
            }

            if (cache.IsKnownMissing(commit, name))
            {
                continue;
            }

            FileMetadata metadata;
            try
            {
                metadata = known(name) ?? await HeadAsync(repoId, commit, name, _retries, cancellationToken).ConfigureAwait(false);
            }
            catch (HubEntryNotFoundException)
            {
                cache.MarkMissing(commit, name);
                continue;
            }

            await EnsureFileAsync(cache, repoId, commit, name, metadata, progress, cancellationToken).ConfigureAwait(false);
            return name;
        }

        throw new HubEntryNotFoundException(repoId, names[0], $"The hub repository '{repoId}' has none of {string.Join(", ", names)} at commit {commit}.");
    }

    private async Task EnsureFileAsync(
        HubCache cache, string repoId, string commit, string name, FileMetadata metadata, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var pointer = cache.PointerPath(commit, name);
        if (File.Exists(pointer))
        {
            return;
        }

        var blob = cache.BlobPath(metadata.Etag);
        // One process fetches a blob at a time; the others wait, then find it there.
        using (await BlobLock.AcquireAsync(cache.LockPath(metadata.Etag), cancellationToken).ConfigureAwait(false))
        {
            if (!File.Exists(blob))
            {
                try
                {
                    await new BlobDownload(_http, _retries, _options.StallTimeout)
                        .RunAsync(metadata, repoId, commit, name, blob, progress, cancellationToken).ConfigureAwait(false);
                }
                catch (HubTransientException e)
                {
                    throw new HubException(repoId, $"Downloading '{name}' of '{repoId}' from {_http.Endpoint} failed (tried {_options.MaxRetries + 1} times): {e.Message}. Try again: it resumes where it stopped.", e);
                }
            }
            else
            {
                progress?.Report(new HubDownloadProgress(repoId, name, metadata.Size, metadata.Size));
            }

            if (!File.Exists(pointer))
            {
                HubCache.Link(blob, pointer, _options.UseSymlinks);
            }
        }
    }

    private async Task<FileMetadata> HeadAsync(string repoId, string revision, string fileName, ResiliencePipeline retries, CancellationToken cancellationToken)
    {
        try
        {
            return await retries.ExecuteAsync(
                async token => await _http.HeadAsync(repoId, revision, fileName, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (HubTransientException e)
        {
            var attempts = retries == ResiliencePipeline.Empty ? "once" : $"{_options.MaxRetries + 1} times";
            throw new HubException(repoId, $"Cannot get '{fileName}' of '{repoId}' from {_http.Endpoint} (tried {attempts}): {e.Message}. Check the network or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only the cache.", e);
        }
    }

    private static void CheckFiles(HubModelFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Required.Count == 0 && files.FirstOf.Count == 0)
        {
            throw new ArgumentException("No file to download: give at least one required file or alternative.", nameof(files));
        }

        foreach (var name in files.Required.Concat(files.FirstOf))
        {
            if (HubNames.FileNameProblem(name) is { } problem)
            {
                throw new ArgumentException($"'{name}' is not a file name in a repository: {problem}.", nameof(files));
            }
        }
    }

    private static string Describe(HubModelFiles files) =>
        string.Join(", ", files.Required) + (files.FirstOf.Count == 0 ? string.Empty : $"{(files.Required.Count > 0 ? " and " : string.Empty)}one of {string.Join(", ", files.FirstOf)}");

    private static string FirstLine(Exception e) => e.Message.Split('\n')[0];
}
