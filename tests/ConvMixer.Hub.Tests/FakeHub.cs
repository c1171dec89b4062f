using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConvMixerNet.Hub.Tests;

/// <summary>
/// A Hugging Face hub on 127.0.0.1 that answers as the real one does: <c>HEAD/GET /{org}/{name}/resolve/{rev}/{file}</c>
/// with X-Repo-Commit, ETag (the git blob hash) and Content-Length for small files, and for large (LFS) files a
/// redirect to a second origin (the storage host) with X-Linked-Etag (the sha256) and X-Linked-Size; errors with
/// X-Error-Code; Range requests. Faults are switched on per file. Every request is logged.
/// </summary>
internal sealed class FakeHub : IAsyncDisposable
{
    private readonly WebApplication _hub;
    private readonly WebApplication _storage;
    private readonly ConcurrentDictionary<string, FakeRepo> _repos = new(StringComparer.Ordinal);

    private FakeHub(WebApplication hub, WebApplication storage)
    {
        _hub = hub;
        _storage = storage;
    }

    /// <summary>The hub's address, what HF_ENDPOINT would hold.</summary>
    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>The storage host large files are redirected to (another port, so another origin).</summary>
    public string StorageOrigin { get; private set; } = string.Empty;

    public ConcurrentQueue<LoggedRequest> Requests { get; } = new();

    /// <summary>Answer the next N hub requests with this status (a hub in trouble).</summary>
    public int FailNextRequests { get; set; }

    public int FailureStatus { get; set; } = 503;

    /// <summary>False: errors come without X-Error-Code, as from a mirror that does not send it.</summary>
    public bool SendErrorCodes { get; set; } = true;

    /// <summary>Called on every HEAD of a resolve URL, with the file name (the test's window into the protocol).</summary>
    public Action<string>? OnHead { get; set; }

    public static async Task<FakeHub> StartAsync()
    {
        var hub = Build();
        var storage = Build();
        var fake = new FakeHub(hub, storage);
        hub.Run(fake.ServeHubAsync);
        storage.Run(fake.ServeStorageAsync);
        await hub.StartAsync();
        await storage.StartAsync();
        fake.Endpoint = Address(hub);
        fake.StorageOrigin = Address(storage);
        return fake;
    }

    public FakeRepo AddRepo(string repoId, params (string Name, byte[] Content, bool Large)[] files)
    {
        var repo = new FakeRepo(repoId);
        var commit = repo.Commit(files);
        repo.Branches["main"] = commit;
        _repos[repoId] = repo;
        return repo;
    }

    public void RenameRepo(string oldId, string newId) => _repos[oldId] = new FakeRepo(oldId) { RenamedTo = newId };

    public IEnumerable<LoggedRequest> Gets(string? fileName = null) =>
        Requests.Where(r => r.Method == "GET" && (fileName is null || r.FileName == fileName));

    public async ValueTask DisposeAsync()
    {
        await _hub.StopAsync();
        await _storage.StopAsync();
        await _hub.DisposeAsync();
        await _storage.DisposeAsync();
    }

    private static WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        return builder.Build();
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);

    private static string RawTarget(HttpContext context) => context.Features.Get<IHttpRequestFeature>()!.RawTarget;

    private async Task ServeHubAsync(HttpContext context)
    {
        // /{org}/{name}/resolve/{revision}/{file…}, each part URL-escaped (a revision's '/' arrives as %2F).
        var parts = RawTarget(context).Split('?')[0].TrimStart('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        var fileName = parts.Length >= 5 ? string.Join('/', parts[4..]) : string.Empty;
        Requests.Enqueue(new LoggedRequest("hub", context.Request.Method, RawTarget(context), fileName, context.Request.Headers.Range.ToString(), context.Request.Headers.Authorization.ToString()));
        if (context.Request.Method == "HEAD")
        {
            OnHead?.Invoke(fileName);
        }

        if (FailNextRequests > 0)
        {
            FailNextRequests--;
            context.Response.StatusCode = FailureStatus;
            return;
        }

        if (parts.Length < 5 || parts[2] != "resolve")
        {
            context.Response.StatusCode = 404;
            return;
        }

        var repoId = parts[0] + "/" + parts[1];
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!_repos.TryGetValue(repoId, out var repo) || (repo.Private && authorization != "Bearer " + repo.Token))
        {
            Error(context, authorization.Length == 0 ? 401 : 404, "RepoNotFound", "Repository not found");
            return;
        }

        if (repo.RenamedTo is { } newId)
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = "/" + newId + RawTarget(context)[(repoId.Length + 1)..];
            return;
        }

        if (repo.Gated && authorization != "Bearer " + repo.Token)
        {
            Error(context, authorization.Length == 0 ? 401 : 403, "GatedRepo", "Access to this model is restricted");
            return;
        }

        var revision = parts[3];
        var commit = repo.Branches.TryGetValue(revision, out var branchCommit) ? branchCommit : repo.Commits.ContainsKey(revision) ? revision : null;
        if (commit is null)
        {
            Error(context, 404, "RevisionNotFound", "Invalid rev id");
            return;
        }

        context.Response.Headers["X-Repo-Commit"] = commit;
        if (!repo.Commits[commit].TryGetValue(fileName, out var file))
        {
            Error(context, 404, "EntryNotFound", "Entry not found");
            return;
        }

        if (file.Large)
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = $"{StorageOrigin}/blobs/{file.Sha256}?signature=abc";
            context.Response.Headers["X-Linked-Etag"] = file.Etag ?? $"\"{file.Sha256}\"";
            context.Response.Headers["X-Linked-Size"] = file.Content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers.ETag = $"\"{file.GitSha1}\"";
            return;
        }

        context.Response.Headers.ETag = file.Etag ?? $"\"{file.GitSha1}\"";
        await ServeContentAsync(context, file);
    }

    private async Task ServeStorageAsync(HttpContext context)
    {
        var key = context.Request.Path.Value!.Split('/').Last();
        var file = _repos.Values.SelectMany(r => r.Commits.Values).SelectMany(c => c.Values).FirstOrDefault(f => f.Sha256 == key);
        Requests.Enqueue(new LoggedRequest("storage", context.Request.Method, RawTarget(context), file?.Name ?? key, context.Request.Headers.Range.ToString(), context.Request.Headers.Authorization.ToString()));
        if (file is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        await ServeContentAsync(context, file);
    }

    // The file's bytes, from the Range's start when one is asked, with the faults the test switched on.
    private static async Task ServeContentAsync(HttpContext context, FakeFile file)
    {
        var content = file.Served ?? file.Content;
        long start = 0;
        var range = context.Request.Headers.Range.ToString();
        if (range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (start >= content.Length)
            {
                context.Response.StatusCode = 416;
                return;
            }

            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }

        context.Response.ContentLength = content.Length - start;
        if (context.Request.Method == "HEAD")
        {
            return;
        }

        var attempt = Interlocked.Increment(ref file.GetCount);
        if (file.HoldFirstGet is { } hold && attempt == 1)
        {
            await hold.Task.WaitAsync(context.RequestAborted);
        }

        var body = context.Response.Body;
        var end = content.Length;
        if (attempt == 1 && file.FirstGetStopsAfter is { } stopAfter)
        {
            await body.WriteAsync(content.AsMemory((int)start, (int)(stopAfter - start)));
            await body.FlushAsync();
            file.FirstGetStopped.TrySetResult();
            if (file.StopMode == StopMode.Drop)
            {
                context.Abort(); // the connection drops mid-file
                return;
            }

            try
            {
                // Stalled (or slow): nothing more until the test says so or the client gives up.
                await file.Continue.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            start = stopAfter;
        }

        await body.WriteAsync(content.AsMemory((int)start, (int)(end - start)));
    }

    private void Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        if (SendErrorCodes)
        {
            context.Response.Headers["X-Error-Code"] = code;
            context.Response.Headers["X-Error-Message"] = message;
        }
    }
}

internal sealed record LoggedRequest(string Origin, string Method, string Target, string FileName, string Range, string Authorization);

internal enum StopMode
{
    Drop,
    Stall,
}

internal sealed class FakeRepo(string repoId)
{
    public string RepoId { get; } = repoId;

    public Dictionary<string, string> Branches { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Dictionary<string, FakeFile>> Commits { get; } = new(StringComparer.Ordinal);

    public bool Gated { get; set; }

    public bool Private { get; set; }

    public string Token { get; set; } = "hf_test_token";

    public string? RenamedTo { get; init; }

    public string Main => Branches["main"];

    public FakeFile File(string name) => Commits[Main][name];

    /// <summary>A new commit holding <paramref name="files"/>; returns its hash.</summary>
    public string Commit(IEnumerable<(string Name, byte[] Content, bool Large)> files)
    {
        var commit = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
        Commits[commit] = files.ToDictionary(f => f.Name, f => new FakeFile(f.Name, f.Content, f.Large), StringComparer.Ordinal);
        return commit;
    }
}

internal sealed class FakeFile(string name, byte[] content, bool large)
{
    public int GetCount;

    public string Name { get; } = name;

    public byte[] Content { get; } = content;

    public bool Large { get; } = large;

    public string Sha256 { get; } = Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    /// <summary>The git blob hash, the hub's etag of a small file.</summary>
    public string GitSha1 { get; } = Convert.ToHexString(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content])).ToLowerInvariant();

    /// <summary>An etag header to send instead of the true one.</summary>
    public string? Etag { get; set; }

    /// <summary>Bytes to serve instead of the content (same announced size and hash).</summary>
    public byte[]? Served { get; set; }

    /// <summary>The first GET sends bytes up to this offset, then drops or stalls.</summary>
    public long? FirstGetStopsAfter { get; set; }

    public StopMode StopMode { get; set; }

    public TaskCompletionSource FirstGetStopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completing it lets a stalled first GET send the rest.</summary>
    public TaskCompletionSource Continue { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, the first GET waits for it before sending anything.</summary>
    public TaskCompletionSource? HoldFirstGet { get; set; }
}
