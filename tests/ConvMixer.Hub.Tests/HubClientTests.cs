using System.Text;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Hub.Tests;

/// <summary>The client against a fake hub on 127.0.0.1: protocol, cache layout, resuming, verification, errors.</summary>
public sealed class HubClientTests : IAsyncLifetime
{
    private const string RepoId = "org/tiny-model";

    private static readonly byte[] Config = Encoding.UTF8.GetBytes("{\"architecture\": \"convmixer_32_2\", \"num_classes\": 10}\n");
    private static readonly byte[] Safetensors = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7 % 251)).ToArray();
    private static readonly byte[] PytorchBin = Enumerable.Range(0, 50_000).Select(i => (byte)(i * 13 % 241)).ToArray();

    private readonly TemporaryDirectory _temp = new();
    private readonly List<string> _warnings = [];
    private FakeHub _hub = null!;

    private string Cache => Path.Combine(_temp.Path, "cache");

    private string RepoFolder => Path.Combine(Cache, "models--org--tiny-model");

    public async Task InitializeAsync() => _hub = await FakeHub.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Fetches_config_and_safetensors_only_into_huggingface_hubs_layout()
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true), ("pytorch_model.bin", PytorchBin, true));
        repo.Gated = true;

        var snapshot = await Download(options => options with { Token = repo.Token });

        snapshot.Folder.Should().Be(Path.Combine(RepoFolder, "snapshots", repo.Main));
        snapshot.CommitHash.Should().Be(repo.Main);
        snapshot.Files.Should().Equal("config.json", "model.safetensors");
        Directory.GetFileSystemEntries(snapshot.Folder).Select(Path.GetFileName).Should().BeEquivalentTo("config.json", "model.safetensors");
        File.ReadAllText(Path.Combine(RepoFolder, "refs", "main")).Should().Be(repo.Main);
        // Relative links into blobs/, named by the etags: the git hash of a small file, the sha256 of a large one.
        new FileInfo(Path.Combine(snapshot.Folder, "config.json")).LinkTarget.Should().Be($"../../blobs/{repo.File("config.json").GitSha1}");
        new FileInfo(Path.Combine(snapshot.Folder, "model.safetensors")).LinkTarget.Should().Be($"../../blobs/{repo.File("model.safetensors").Sha256}");
        File.ReadAllBytes(Path.Combine(snapshot.Folder, "model.safetensors")).Should().Equal(Safetensors);
        File.ReadAllBytes(Path.Combine(snapshot.Folder, "config.json")).Should().Equal(Config);
        Directory.GetFiles(Path.Combine(RepoFolder, "blobs")).Should().HaveCount(2);
        File.Exists(Path.Combine(Cache, ".locks", "models--org--tiny-model", repo.File("model.safetensors").Sha256 + ".lock")).Should().BeTrue();

        _hub.Gets().Select(r => (r.Origin, r.FileName)).Should().Equal(("hub", "config.json"), ("storage", "model.safetensors"));
        _hub.Requests.Where(r => r.Origin == "hub").Should().OnlyContain(r => r.Authorization == "Bearer " + repo.Token);
        _hub.Requests.Where(r => r.Origin == "storage").Should().OnlyContain(r => r.Authorization.Length == 0, "the token is for the hub, not the storage host");
        // Only the branch is resolved by name; the other files are asked at the commit.
        _hub.Requests.Where(r => r.Method == "HEAD" && r.FileName == "model.safetensors").Should().OnlyContain(r => r.Target.Contains(repo.Main));

        var again = await Download(options => options with { Token = repo.Token });

        again.Should().BeEquivalentTo(snapshot with { FromCacheOnly = false });
        _hub.Gets().Should().HaveCount(2, "a file in the cache is never downloaded again");
    }

    [Fact]
    public async Task Takes_pytorch_model_bin_when_there_is_no_safetensors_and_remembers_the_absence()
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("pytorch_model.bin", PytorchBin, true));

        var snapshot = await Download();

        snapshot.Files.Should().Equal("config.json", "pytorch_model.bin");
        File.ReadAllBytes(Path.Combine(snapshot.Folder, "pytorch_model.bin")).Should().Equal(PytorchBin);
        File.Exists(Path.Combine(RepoFolder, ".no_exist", repo.Main, "model.safetensors")).Should().BeTrue();
        _hub.Gets().Select(r => r.FileName).Should().Equal("config.json", "pytorch_model.bin");
    }

    [Fact]
    public async Task Resumes_with_a_range_request_after_the_connection_drops()
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));
        var file = repo.File("model.safetensors");
        file.FirstGetStopsAfter = 120_000;
        file.StopMode = StopMode.Drop;

        var snapshot = await Download();

        File.ReadAllBytes(Path.Combine(snapshot.Folder, "model.safetensors")).Should().Equal(Safetensors);
        _hub.Gets("model.safetensors").Select(r => r.Range).Should().Equal("", "bytes=120000-");
        Directory.GetFiles(Path.Combine(RepoFolder, "blobs"), "*.incomplete").Should().BeEmpty();
    }

    [Fact]
    public async Task A_stalled_transfer_is_dropped_and_resumed()
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));
        var file = repo.File("model.safetensors");
        file.FirstGetStopsAfter = 65_536;
        file.StopMode = StopMode.Stall;

        var snapshot = await Download(options => options with { StallTimeout = TimeSpan.FromMilliseconds(300) });

        File.ReadAllBytes(Path.Combine(snapshot.Folder, "model.safetensors")).Should().Equal(Safetensors);
        _hub.Gets("model.safetensors").Select(r => r.Range).Should().Equal("", "bytes=65536-");
    }

    [Fact]
    public async Task A_slow_transfer_reports_progress_can_be_cancelled_and_resumes_later()
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));
        var file = repo.File("model.safetensors");
        file.FirstGetStopsAfter = 100_000;
        file.StopMode = StopMode.Stall;
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder<HubDownloadProgress>(p =>
        {
            if (p.FileName == "model.safetensors" && p.BytesDone == 100_000)
            {
                cancel.Cancel(); // the user gives up while the transfer is slow
            }
        });

        var first = () => Download(progress: progress, cancellationToken: cancel.Token);

        await first.Should().ThrowAsync<OperationCanceledException>();
        var blob = Path.Combine(RepoFolder, "blobs", file.Sha256);
        new FileInfo(blob + ".incomplete").Length.Should().Be(100_000);
        File.Exists(blob).Should().BeFalse();
        File.Exists(Path.Combine(RepoFolder, "snapshots", repo.Main, "model.safetensors")).Should().BeFalse();

        var resumed = new Recorder<HubDownloadProgress>();
        var snapshot = await Download(progress: resumed);

        File.ReadAllBytes(Path.Combine(snapshot.Folder, "model.safetensors")).Should().Equal(Safetensors);
        _hub.Gets("model.safetensors").Select(r => r.Range).Should().Equal("", "bytes=100000-");
        var reports = resumed.Reports.Where(p => p.FileName == "model.safetensors").ToList();
        reports.First().BytesDone.Should().Be(100_000, "a resumed download starts where the last one stopped");
        reports.Last().BytesDone.Should().Be(Safetensors.Length);
        reports.Should().OnlyContain(p => p.TotalBytes == Safetensors.Length).And.BeInAscendingOrder(p => p.BytesDone);
    }

    [Fact]
    public async Task Wrong_bytes_are_refused_and_leave_nothing_in_the_cache()
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));
        var wrong = (byte[])Safetensors.Clone();
        wrong[123_456] ^= 0xFF;
        repo.File("model.safetensors").Served = wrong;

        var download = () => Download();

        (await download.Should().ThrowAsync<HubContentMismatchException>())
            .Which.Message.Should().Contain("did not match").And.Contain("model.safetensors").And.Contain(RepoId);
        Directory.GetFiles(Path.Combine(RepoFolder, "blobs")).Select(Path.GetFileName).Should().Equal(repo.File("config.json").GitSha1);
        File.Exists(Path.Combine(RepoFolder, "snapshots", repo.Main, "model.safetensors")).Should().BeFalse();
    }

    [Theory]
    [InlineData("model.safetensors", "\"../../x\"")]
    [InlineData("config.json", "\"../../../../x\"")]
    [InlineData("model.safetensors", "\"x.incomplete\"")]
    public async Task A_hostile_etag_writes_nothing_anywhere(string fileName, string etag)
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));
        repo.File(fileName).Etag = etag;

        var download = () => Download();

        (await download.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("invalid etag").And.Contain(RepoId);
        Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories).Select(Path.GetFileName)
            .Should().NotContain(["x", "x.incomplete", "x.lock"]);
        _hub.Gets(fileName).Should().BeEmpty();
    }

    [Fact]
    public async Task Gated_and_private_repositories_say_to_set_HF_TOKEN()
    {
        _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true)).Gated = true;
        _hub.AddRepo("org/private", ("config.json", Config, false)).Private = true;

        var gated = () => Download();
        var wrongToken = () => Download(options => options with { Token = "hf_wrong" });

        (await gated.Should().ThrowAsync<HubAccessDeniedException>()).Which.Message.Should()
            .Contain(RepoId).And.Contain("is gated (HTTP 401").And.Contain("accept its conditions").And.Contain("set HF_TOKEN");
        (await wrongToken.Should().ThrowAsync<HubAccessDeniedException>()).Which.Message.Should().Contain("token in use (HF_TOKEN) has no access");
        var hidden = () => new HubClient(Options()).DownloadModelAsync(HubReference.Parse("hf-hub:org/private"));
        (await hidden.Should().ThrowAsync<HubRepositoryNotFoundException>()).Which.Message.Should().Contain("org/private").And.Contain("HF_TOKEN");

        // A mirror that sends no X-Error-Code: the status alone tells.
        _hub.SendErrorCodes = false;
        (await gated.Should().ThrowAsync<HubAccessDeniedException>()).Which.Message.Should().Contain(RepoId).And.Contain("gated or private (HTTP 401)").And.Contain("set HF_TOKEN");
        (await wrongToken.Should().ThrowAsync<HubAccessDeniedException>()).Which.Message.Should().Contain("gated or private (HTTP 403)");
    }

    [Fact]
    public async Task Unknown_repositories_revisions_and_files_are_named_in_the_error()
    {
        _hub.AddRepo(RepoId, ("config.json", Config, false));
        using var client = new HubClient(Options() with { Token = "hf_any" });

        var noRepo = () => client.DownloadModelAsync(HubReference.Parse("hf-hub:org/nothing-here"));
        var noRevision = () => client.DownloadModelAsync(HubReference.Parse($"hf-hub:{RepoId}@v9"));
        var noWeights = () => client.DownloadModelAsync(HubReference.Parse($"hf-hub:{RepoId}"));

        (await noRepo.Should().ThrowAsync<HubRepositoryNotFoundException>()).Which.Message.Should().Contain("'org/nothing-here' was not found");
        (await noRevision.Should().ThrowAsync<HubRevisionNotFoundException>()).Which.Message.Should().Contain($"'{RepoId}' has no revision 'v9'");
        (await noWeights.Should().ThrowAsync<HubEntryNotFoundException>()).Which.Message.Should().Contain(RepoId).And.Contain("model.safetensors, pytorch_model.bin");
    }

    [Fact]
    public async Task Server_errors_are_retried()
    {
        _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));
        _hub.FailNextRequests = 3;

        var snapshot = await Download();

        File.ReadAllBytes(Path.Combine(snapshot.Folder, "model.safetensors")).Should().Equal(Safetensors);
        _hub.Requests.Count(r => r.Method == "HEAD" && r.FileName == "config.json").Should().Be(4);
    }

    [Fact]
    public async Task A_hub_that_keeps_failing_gives_one_clear_error_after_the_retries()
    {
        _hub.AddRepo(RepoId, ("config.json", Config, false));
        _hub.FailNextRequests = 1000;
        _hub.FailureStatus = 500;

        var download = () => Download();

        (await download.Should().ThrowAsync<HubException>()).Which.Message.Should()
            .Contain(RepoId).And.Contain("HTTP 500").And.Contain("tried 4 times").And.Contain("HF_HUB_OFFLINE");
        _hub.Requests.Should().HaveCount(1 + 4, "one quick try, then the retries");
    }

    [Fact]
    public async Task When_the_hub_is_down_the_cached_snapshot_is_used_with_one_warning()
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));
        var online = await Download();
        _hub.FailNextRequests = 1000;

        var failing = await Download();
        await _hub.DisposeAsync(); // and now nothing answers at all
        var unreachable = await Download();

        failing.Folder.Should().Be(online.Folder);
        failing.FromCacheOnly.Should().BeTrue();
        unreachable.Folder.Should().Be(online.Folder);
        _warnings.Should().HaveCount(2).And.OnlyContain(w => w.Contains("hf-hub:" + RepoId) && w.Contains(repo.Main) && !w.Contains('\n'));
        _hub = await FakeHub.StartAsync();
    }

    [Fact]
    public async Task Offline_mode_reads_a_cache_laid_out_by_huggingface_hubs_rules_and_asks_nothing()
    {
        // The layout huggingface_hub documents (and its file_download.py writes): blobs named by etag, a snapshot of
        // relative links, refs/main holding the commit; built here by hand, as another client would leave it.
        const string commit = "0123456789abcdef0123456789abcdef01234567";
        var repoFolder = Directory.CreateDirectory(Path.Combine(Cache, "models--timm--convmixer_768_32.in1k")).FullName;
        var snapshotFolder = Directory.CreateDirectory(Path.Combine(repoFolder, "snapshots", commit)).FullName;
        Directory.CreateDirectory(Path.Combine(repoFolder, "blobs"));
        Directory.CreateDirectory(Path.Combine(repoFolder, "refs"));
        File.WriteAllText(Path.Combine(repoFolder, "refs", "main"), commit);
        var configEtag = new FakeFile("config.json", Config, false).GitSha1;
        var weightsEtag = new FakeFile("model.safetensors", Safetensors, true).Sha256;
        File.WriteAllBytes(Path.Combine(repoFolder, "blobs", configEtag), Config);
        File.WriteAllBytes(Path.Combine(repoFolder, "blobs", weightsEtag), Safetensors);
        File.CreateSymbolicLink(Path.Combine(snapshotFolder, "config.json"), "../../blobs/" + configEtag);
        File.CreateSymbolicLink(Path.Combine(snapshotFolder, "model.safetensors"), "../../blobs/" + weightsEtag);

        using var client = new HubClient(Options() with { Offline = true });
        var byBranch = await client.DownloadModelAsync(HubReference.Parse("hf-hub:timm/convmixer_768_32.in1k"));
        var byCommit = await client.DownloadModelAsync(HubReference.Parse("hf-hub:timm/convmixer_768_32.in1k@" + commit));
        var missing = () => client.DownloadModelAsync(HubReference.Parse("hf-hub:timm/convmixer_768_32.in1k@v2"));

        byBranch.Folder.Should().Be(snapshotFolder);
        byBranch.Files.Should().Equal("config.json", "model.safetensors");
        byBranch.FromCacheOnly.Should().BeTrue();
        byCommit.Folder.Should().Be(snapshotFolder);
        File.ReadAllBytes(Path.Combine(byBranch.Folder, "model.safetensors")).Should().Equal(Safetensors);
        (await missing.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("HF_HUB_OFFLINE").And.Contain("convmixer_768_32.in1k@v2");
        _hub.Requests.Should().BeEmpty();
        _warnings.Should().BeEmpty();
    }

    [Fact]
    public async Task Without_symlinks_the_snapshot_holds_copies()
    {
        _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));

        var snapshot = await Download(options => options with { UseSymlinks = false });

        var weights = new FileInfo(Path.Combine(snapshot.Folder, "model.safetensors"));
        weights.LinkTarget.Should().BeNull();
        File.ReadAllBytes(weights.FullName).Should().Equal(Safetensors);
    }

    [Fact]
    public async Task A_renamed_repository_is_followed_on_the_same_host()
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));
        _hub.RenameRepo("org/old-name", RepoId);

        using var client = new HubClient(Options());
        var snapshot = await client.DownloadModelAsync(HubReference.Parse("hf-hub:org/old-name"));

        snapshot.CommitHash.Should().Be(repo.Main);
        snapshot.Folder.Should().StartWith(Path.Combine(Cache, "models--org--old-name"));
        File.ReadAllBytes(Path.Combine(snapshot.Folder, "model.safetensors")).Should().Equal(Safetensors);
    }

    [Fact]
    public async Task Concurrent_downloads_of_one_blob_fetch_it_once()
    {
        var repo = _hub.AddRepo(RepoId, ("config.json", Config, false), ("model.safetensors", Safetensors, true));
        var file = repo.File("model.safetensors");
        file.HoldFirstGet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heads = 0;
        _hub.OnHead = name =>
        {
            if (name == "model.safetensors" && Interlocked.Increment(ref heads) == 2)
            {
                file.HoldFirstGet.TrySetResult(); // both have asked for it: let the first download go on
            }
        };

        var both = await Task.WhenAll(Download(), Download());

        both[0].Folder.Should().Be(both[1].Folder);
        file.GetCount.Should().Be(1);
        Directory.GetFiles(Path.Combine(RepoFolder, "blobs")).Should().HaveCount(2);
        File.ReadAllBytes(Path.Combine(both[1].Folder, "model.safetensors")).Should().Equal(Safetensors);
    }

    [Fact]
    public void Environment_configures_like_huggingface_hub()
    {
        var names = new[] { "HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_DISABLE_SYMLINKS", "HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT", "TRANSFORMERS_OFFLINE" };
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var name in names)
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            var home = Path.Combine(_temp.Path, "hf-home");
            Directory.CreateDirectory(home);
            File.WriteAllText(Path.Combine(home, "token"), "hf_from_file\n");
            Environment.SetEnvironmentVariable("HF_HOME", home);
            Environment.SetEnvironmentVariable("HF_ENDPOINT", "http://127.0.0.1:1/mirror/");
            Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "yes");
            Environment.SetEnvironmentVariable("HF_HUB_DOWNLOAD_TIMEOUT", "2.5");

            var fromHome = HubOptions.FromEnvironment();

            fromHome.CacheDirectory.Should().Be(Path.Combine(home, "hub"));
            fromHome.Token.Should().Be("hf_from_file");
            fromHome.Endpoint.Should().Be("http://127.0.0.1:1/mirror");
            fromHome.Offline.Should().BeTrue();
            fromHome.StallTimeout.Should().Be(TimeSpan.FromSeconds(2.5));

            Environment.SetEnvironmentVariable("HF_HUB_CACHE", Path.Combine(_temp.Path, "elsewhere"));
            Environment.SetEnvironmentVariable("HF_TOKEN", " hf_from_env ");
            Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "0");

            var explicitly = HubOptions.FromEnvironment();

            explicitly.CacheDirectory.Should().Be(Path.Combine(_temp.Path, "elsewhere"));
            explicitly.Token.Should().Be("hf_from_env");
            explicitly.Offline.Should().BeFalse();

            Environment.SetEnvironmentVariable("HF_ENDPOINT", "file:///etc");
            var badEndpoint = () => HubOptions.FromEnvironment();
            badEndpoint.Should().Throw<ArgumentException>().WithMessage("*HF_ENDPOINT 'file:///etc' is not an http(s) URL*");
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    private async Task<HubSnapshot> Download(
        Func<HubOptions, HubOptions>? configure = null, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var client = new HubClient((configure ?? (o => o))(Options()));
        return await client.DownloadModelAsync(HubReference.Parse("hf-hub:" + RepoId), progress: progress, cancellationToken: cancellationToken);
    }

    // Every test talks to the fake hub only, with short waits between retries.
    private HubOptions Options() => new()
    {
        Endpoint = _hub.Endpoint,
        CacheDirectory = Cache,
        MaxRetries = 3,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        StallTimeout = TimeSpan.FromMinutes(1),
        Warn = message =>
        {
            lock (_warnings)
            {
                _warnings.Add(message);
            }
        },
    };
}
