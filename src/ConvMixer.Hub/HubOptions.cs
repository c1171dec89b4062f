namespace ConvMixerNet.Hub;

/// <summary>
/// Where and how to download: the hub's address, the cache folder, the token, offline mode, and the patience for a
/// slow or failing network. <see cref="FromEnvironment"/> reads the variables Python's <c>huggingface_hub</c> reads, so
/// both share one configuration and one cache.
/// </summary>
public sealed record HubOptions
{
    /// <summary>The public hub.</summary>
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The hub or mirror to download from (<c>HF_ENDPOINT</c>), without a trailing '/'.</summary>
    public string Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>The cache folder (<c>HF_HUB_CACHE</c>; default <c>$HF_HOME/hub</c>, <c>~/.cache/huggingface/hub</c>).</summary>
    public string CacheDirectory { get; init; } = Path.Combine(DefaultHome(), "hub");

    /// <summary>The access token for gated and private repositories, sent to the hub only (never to the storage host a download is redirected to).</summary>
    public string? Token { get; init; }

    /// <summary>No network at all: only what the cache holds (<c>HF_HUB_OFFLINE=1</c>).</summary>
    public bool Offline { get; init; }

    /// <summary>Snapshot files are relative symbolic links to the blobs; false copies them (<c>HF_HUB_DISABLE_SYMLINKS=1</c>).</summary>
    public bool UseSymlinks { get; init; } = true;

    /// <summary>How long to wait for the answer to one request (<c>HF_HUB_ETAG_TIMEOUT</c>, seconds; default 10).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a download may receive nothing before it is dropped and resumed (<c>HF_HUB_DOWNLOAD_TIMEOUT</c>, seconds; default 10).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a failed request or dropped download is tried again (server errors, timeouts, lost connections).</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The wait before the first retry; it doubles with each further one (with jitter).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Receives the one-line warnings (the hub could not be reached and the cached snapshot is used). Default: stderr.
    /// </summary>
    public Action<string> Warn { get; init; } = message => Console.Error.WriteLine($"warning: {message}");

    /// <summary>
    /// The options Python's <c>huggingface_hub</c> would use in this environment: <c>HF_ENDPOINT</c>, <c>HF_HOME</c>,
    /// <c>HF_HUB_CACHE</c> (or the older <c>HUGGINGFACE_HUB_CACHE</c>), <c>HF_HUB_OFFLINE</c>, <c>HF_TOKEN</c> (else
    /// the token file, <c>HF_TOKEN_PATH</c> or <c>$HF_HOME/token</c>), <c>HF_HUB_DISABLE_SYMLINKS</c>,
    /// <c>HF_HUB_ETAG_TIMEOUT</c> and <c>HF_HUB_DOWNLOAD_TIMEOUT</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A variable holds something unusable (an endpoint that is not an http(s) URL, a timeout that is not a positive number).</exception>
    public static HubOptions FromEnvironment()
    {
        var home = DefaultHome();
        var options = new HubOptions
        {
            Endpoint = ValidEndpoint(Variable("HF_ENDPOINT") ?? DefaultEndpoint, "HF_ENDPOINT"),
            CacheDirectory = ExpandHome(Variable("HF_HUB_CACHE") ?? Variable("HUGGINGFACE_HUB_CACHE") ?? Path.Combine(home, "hub")),
            Offline = IsTrue(Variable("HF_HUB_OFFLINE") ?? Variable("TRANSFORMERS_OFFLINE")),
            UseSymlinks = !IsTrue(Variable("HF_HUB_DISABLE_SYMLINKS")),
            Token = CleanToken(Variable("HF_TOKEN") ?? Variable("HUGGING_FACE_HUB_TOKEN")) ?? ReadTokenFile(ExpandHome(Variable("HF_TOKEN_PATH") ?? Path.Combine(home, "token"))),
        };
        if (Seconds("HF_HUB_ETAG_TIMEOUT") is { } etagTimeout)
        {
            options = options with { RequestTimeout = etagTimeout };
        }

        if (Seconds("HF_HUB_DOWNLOAD_TIMEOUT") is { } downloadTimeout)
        {
            options = options with { StallTimeout = downloadTimeout };
        }

        return options;
    }

    /// <summary>Checks the endpoint: an absolute http or https URL; returns it without a trailing '/'.</summary>
    internal static string ValidEndpoint(string endpoint, string source)
    {
        var trimmed = endpoint.Trim().TrimEnd('/');
        return Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && string.IsNullOrEmpty(uri.Query)
            ? trimmed
            : throw new ArgumentException($"{source} '{endpoint}' is not an http(s) URL of a hub such as {DefaultEndpoint}.");
    }

    // $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface (huggingface_hub's constants).
    private static string DefaultHome() =>
        ExpandHome(Variable("HF_HOME") ?? Path.Combine(Variable("XDG_CACHE_HOME") ?? Path.Combine(UserHome(), ".cache"), "huggingface"));

    private static string UserHome() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);

    private static string ExpandHome(string path) =>
        path == "~" ? UserHome() : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(UserHome(), path[2..]) : path;

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static bool IsTrue(string? value) => value?.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    private static TimeSpan? Seconds(string name)
    {
        if (Variable(name) is not { } text)
        {
            return null;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < 1e6
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{name} '{text}' is not a positive number of seconds.");
    }

    // The token as huggingface_hub cleans it: no line breaks, trimmed, empty means none.
    private static string? CleanToken(string? token) =>
        token?.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim() is { Length: > 0 } clean ? clean : null;

    private static string? ReadTokenFile(string path)
    {
        try
        {
            return File.Exists(path) ? CleanToken(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // an unreadable token file is no token, as in huggingface_hub
        }
    }
}
