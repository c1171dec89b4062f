using System.Net;
using System.Net.Http.Headers;

namespace ConvMixerNet.Hub;

/// <summary>
/// The hub's HTTP protocol, as huggingface_hub speaks it: <c>HEAD {endpoint}/{repo}/resolve/{revision}/{file}</c>
/// following only relative redirects (a renamed repository), the metadata from <c>X-Repo-Commit</c>,
/// <c>X-Linked-Etag</c>/<c>ETag</c> and <c>X-Linked-Size</c>/<c>Content-Length</c>, a <c>GET</c> that follows the
/// redirect of a large file to its storage host (without the token), <c>Range</c> requests, and errors read from
/// <c>X-Error-Code</c>.
/// </summary>
internal sealed class HubHttp : IDisposable
{
    /// <summary>The largest file accepted, as huggingface_hub's plain HTTP download (50 GB).</summary>
    public const long MaxFileSize = 50_000_000_000;

    private const int MaxRedirects = 10;

    private readonly HttpClient _client;
    private readonly HubOptions _options;
    private readonly Uri _endpoint;

    public HubHttp(HubOptions options, HttpMessageHandler? handler = null)
    {
        _options = options;
        _endpoint = new Uri(HubOptions.ValidEndpoint(options.Endpoint, "The endpoint") + "/");
        // Redirects are followed by hand: relative ones only for HEAD, and without the token to another host.
        _client = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan, // per request and per read, below
        };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ConvMixerNet.Hub", typeof(HubHttp).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    public string Endpoint => _endpoint.ToString().TrimEnd('/');

    public void Dispose() => _client.Dispose();

    /// <summary>The file's metadata, or the hub's error for it as a <see cref="HubException"/>.</summary>
    public async Task<FileMetadata> HeadAsync(string repoId, string revision, string fileName, CancellationToken cancellationToken)
    {
        var url = ResolveUrl(repoId, revision, fileName);
        for (var hop = 0; ; hop++)
        {
            using var response = await SendAsync(HttpMethod.Head, url, offset: 0, sendToken: true, repoId, cancellationToken).ConfigureAwait(false);
            var redirect = IsRedirect(response.StatusCode) ? response.Headers.Location : null;
            if (redirect is not null && !redirect.IsAbsoluteUri && hop < MaxRedirects)
            {
                url = new Uri(url, redirect); // the repository was renamed: same host, ask again
                continue;
            }

            if (redirect is null && !response.IsSuccessStatusCode)
            {
                throw ErrorFor(response, repoId, revision, fileName);
            }

            return Metadata(response, url, redirect is null ? null : new Uri(url, redirect), repoId, fileName);
        }
    }

    /// <summary>
    /// GETs <paramref name="url"/> from byte <paramref name="offset"/> on, following redirects (without the token once
    /// the host changes); returns the response with its headers read, its body not yet.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(Uri url, long offset, bool sendToken, string repoId, string revision, string fileName, CancellationToken cancellationToken)
    {
        for (var hop = 0; ; hop++)
        {
            var response = await SendAsync(HttpMethod.Get, url, offset, sendToken, repoId, cancellationToken).ConfigureAwait(false);
            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location)
            {
                if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    return response;
                }

                using (response)
                {
                    throw ErrorFor(response, repoId, revision, fileName);
                }
            }

            response.Dispose();
            if (hop == MaxRedirects)
            {
                throw new HubException(repoId, $"Downloading '{fileName}' of '{repoId}' from {Endpoint} was redirected more than {MaxRedirects} times.");
            }

            var next = new Uri(url, location);
            sendToken &= SameOrigin(next, url);
            url = next;
        }
    }

    private Uri ResolveUrl(string repoId, string revision, string fileName) =>
        new(_endpoint, $"{repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', fileName.Split('/').Select(Uri.EscapeDataString))}");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, long offset, bool sendToken, string repoId, CancellationToken cancellationToken)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new HubException(repoId, $"The hub at {Endpoint} pointed to '{url}', which is not an http(s) address.");
        }

        using var request = new HttpRequestMessage(method, url);
        // No compression: the size the hub announces is the size of the bytes on the wire.
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        if (sendToken && _options.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubTransientException(repoId, $"{url.GetLeftPart(UriPartial.Authority)} did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new HubTransientException(repoId, $"cannot reach {url.GetLeftPart(UriPartial.Authority)} ({e.Message})", e);
        }
    }

    private FileMetadata Metadata(HttpResponseMessage response, Uri url, Uri? redirect, string repoId, string fileName)
    {
        var what = $"'{fileName}' of '{repoId}'";
        var commit = Header(response, "X-Repo-Commit");
        if (commit is null || !HubNames.IsCommitHash(commit))
        {
            throw new HubException(repoId, $"The server at {Endpoint} sent no valid commit (X-Repo-Commit) for {what}: it does not look like a Hugging Face hub (check HF_ENDPOINT).");
        }

        var rawEtag = Header(response, "X-Linked-Etag") ?? Header(response, "ETag");
        var etag = rawEtag is null ? null : HubNames.NormalizeEtag(rawEtag);
        if (etag is null || !HubNames.IsSafeEtag(etag))
        {
            throw new HubException(repoId, $"The server at {Endpoint} sent {(rawEtag is null ? "no etag" : $"an invalid etag '{rawEtag}'")} for {what}; nothing was written.");
        }

        var sizeText = Header(response, "X-Linked-Size") ?? (redirect is null ? response.Content.Headers.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
        if (!long.TryParse(sizeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) || size > MaxFileSize)
        {
            throw new HubException(repoId, $"The server at {Endpoint} sent {(sizeText is null ? "no size" : $"an invalid size '{sizeText}'")} for {what}.");
        }

        var location = redirect ?? url;
        return new FileMetadata(commit, etag, size, location, SendToken: SameOrigin(location, url));
    }

    private HubException ErrorFor(HttpResponseMessage response, string repoId, string revision, string fileName)
    {
        var status = (int)response.StatusCode;
        var code = Header(response, "X-Error-Code");
        var serverMessage = Header(response, "X-Error-Message");
        var detail = $"HTTP {status}{(serverMessage is null ? string.Empty : $": {serverMessage}")}";
        var tokenAdvice = _options.Token is null
            ? "set HF_TOKEN (or the token file under HF_HOME) to a token with access"
            : "the token in use (HF_TOKEN) has no access to it";
        return code switch
        {
            "RevisionNotFound" => new HubRevisionNotFoundException(repoId, revision, $"The hub repository '{repoId}' has no revision '{revision}' ({detail})."),
            "EntryNotFound" => new HubEntryNotFoundException(repoId, fileName, $"The hub repository '{repoId}' has no file '{fileName}' at revision '{revision}' ({detail})."),
            "GatedRepo" => new HubAccessDeniedException(repoId, $"The hub repository '{repoId}' is gated ({detail}): accept its conditions on the hub, and {tokenAdvice}."),
            "RepoNotFound" => new HubRepositoryNotFoundException(repoId, $"The hub repository '{repoId}' was not found at {Endpoint} ({detail}); check the name, and if it is private or gated, {tokenAdvice}."),
            _ when status is 401 or 403 => new HubAccessDeniedException(repoId, $"The hub repository '{repoId}' is gated or private ({detail}): {tokenAdvice}."),
            // A mirror that sends no error code: a 404 of a resolve URL is a missing file.
            _ when status == 404 => new HubEntryNotFoundException(repoId, fileName, $"The hub at {Endpoint} has no file '{fileName}' in '{repoId}' at revision '{revision}' ({detail})."),
            _ when status is 408 or 429 or >= 500 => new HubTransientException(repoId, $"{Endpoint} answered {detail} for '{fileName}' of '{repoId}'"),
            _ => new HubException(repoId, $"The hub at {Endpoint} refused '{fileName}' of '{repoId}' at revision '{revision}' ({detail})."),
        };
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    private static bool IsRedirect(HttpStatusCode status) => (int)status is >= 300 and < 400;

    private static bool SameOrigin(Uri a, Uri b) => Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
