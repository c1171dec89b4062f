using System.Text;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Hub.Tests;

/// <summary>The built <c>convmixer</c> tool with models named by hub reference, served by a fake hub on 127.0.0.1.</summary>
public sealed class CommandLineHubTests : IAsyncLifetime
{
    private const string RepoId = "test/golden-convmixer";

    private readonly TemporaryDirectory _temp = new();
    private FakeHub _hub = null!;
    private FakeRepo _repo = null!;

    private string ModelFolder => Path.Combine(_temp.Path, "golden-model");

    private string HfHome => Path.Combine(_temp.Path, "hf-home");

    private static string Image(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "images", name);

    public async Task InitializeAsync()
    {
        // The golden model as a model folder (config.json + model.safetensors), written by the tool itself.
        var convert = ConvMixerTool.Run("convert", Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", "caseA.pth"), ModelFolder + "/");
        convert.ExitCode.Should().Be(0, convert.ToString());
        _hub = await FakeHub.StartAsync();
        _repo = _hub.AddRepo(
            RepoId,
            ("config.json", File.ReadAllBytes(Path.Combine(ModelFolder, "config.json")), false),
            ("model.safetensors", File.ReadAllBytes(Path.Combine(ModelFolder, "model.safetensors")), true),
            ("pytorch_model.bin", Encoding.ASCII.GetBytes("never fetched"), true));
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public void Predict_with_a_hub_model_answers_as_the_same_folder_on_disk_and_fetches_only_config_and_safetensors()
    {
        string[] images = [Image("cat_landscape.jpg"), Image("coffee.webp")];

        var fromFolder = ConvMixerTool.Run(["predict", "--weights", ModelFolder, "--input-size", "32", "--top", "3", "--json", .. images]);
        var fromHub = Run(["predict", "--weights", "hf-hub:" + RepoId, "--input-size", "32", "--top", "3", "--json", .. images]);

        fromFolder.ExitCode.Should().Be(0, fromFolder.ToString());
        fromHub.ExitCode.Should().Be(0, fromHub.ToString());
        fromHub.Output.Should().Be(fromFolder.Output);
        _hub.Gets().Select(r => r.FileName).Should().Equal("config.json", "model.safetensors");
        var snapshot = Path.Combine(HfHome, "hub", "models--test--golden-convmixer", "snapshots", _repo.Main);
        Directory.GetFileSystemEntries(snapshot).Select(Path.GetFileName).Should().BeEquivalentTo("config.json", "model.safetensors");

        var again = Run(["predict", "--weights", $"hf-hub:{RepoId}@{_repo.Main}", "--input-size", "32", "--top", "3", "--json", .. images]);

        again.Output.Should().Be(fromFolder.Output);
        _hub.Requests.Should().HaveCount(4, "a commit already in the cache needs no request at all");
    }

    [Fact]
    public void Download_prints_the_snapshot_folder_and_a_preset_name_finds_timms_repository()
    {
        var published = _hub.AddRepo("timm/convmixer_768_32.in1k", ("config.json", Encoding.UTF8.GetBytes("{}"), false), ("model.safetensors", new byte[4096], true));
        var expected = Path.Combine(HfHome, "hub", "models--timm--convmixer_768_32.in1k", "snapshots", published.Main);

        var byPreset = Run("download", "convmixer_768_32");
        var offline = Run(new Dictionary<string, string?> { ["HF_HUB_OFFLINE"] = "1" }, "download", "convmixer_768_32.in1k");

        byPreset.ExitCode.Should().Be(0, byPreset.ToString());
        byPreset.Output.Trim().Should().Be(expected);
        offline.ExitCode.Should().Be(0, offline.ToString());
        offline.Output.Trim().Should().Be(expected);
        _hub.Requests.Select(r => (r.Method, r.FileName)).Should().Equal(
            [("HEAD", "config.json"), ("GET", "config.json"), ("HEAD", "model.safetensors"), ("GET", "model.safetensors")], "nothing is asked offline");
    }

    [Fact]
    public void Info_reads_a_hub_model_and_a_preset_name_still_shows_its_architecture_without_downloading()
    {
        var model = Run("info", "hf-hub:" + RepoId, "--input-size", "32");
        var preset = Run("info", "convmixer_768_32");

        model.ExitCode.Should().Be(0, model.ToString());
        model.Output.Should().Contain("ConvMixer-32/2").And.Contain("5,994");
        preset.ExitCode.Should().Be(0, preset.ToString());
        preset.Output.Should().Contain("21,110,248");
        _hub.Requests.Should().NotContain(r => r.Target.Contains("convmixer_768_32"), "a preset's name alone shows the architecture");
    }

    [Fact]
    public async Task Two_processes_fetching_one_model_share_one_download_of_its_blob()
    {
        var big = _hub.AddRepo("test/big", ("config.json", Encoding.UTF8.GetBytes("{}"), false), ("model.safetensors", RandomBytes(3 << 20), true));
        var weights = big.File("model.safetensors");
        // The first transfer starts once both processes know the blob, sends 1 MiB and stalls: its process drops it
        // after HF_HUB_DOWNLOAD_TIMEOUT and resumes with a Range request. The other process, meanwhile, must wait on
        // the blob's lock instead of fetching the file a second time.
        weights.HoldFirstGet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        weights.FirstGetStopsAfter = 1 << 20;
        weights.StopMode = StopMode.Stall;
        var heads = 0;
        _hub.OnHead = name =>
        {
            if (name == "model.safetensors" && Interlocked.Increment(ref heads) == 2)
            {
                weights.HoldFirstGet.TrySetResult();
            }
        };
        var environment = new Dictionary<string, string?> { ["HF_HUB_DOWNLOAD_TIMEOUT"] = "1" };

        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => Run(environment, "download", "hf-hub:test/big"))));

        runs.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n", runs.Select(r => r.ToString())));
        runs[0].Output.Should().Be(runs[1].Output);
        _hub.Gets("model.safetensors").Select(r => r.Range).Should().Equal(["", "bytes=1048576-"], "one process downloads (and resumes); the other waits for it");
        var blobs = Directory.GetFiles(Path.Combine(HfHome, "hub", "models--test--big", "blobs")).Select(Path.GetFileName);
        blobs.Should().BeEquivalentTo([big.File("config.json").GitSha1, weights.Sha256]);
        File.ReadAllBytes(Path.Combine(runs[0].Output.Trim(), "model.safetensors")).Should().Equal(weights.Content);
    }

    [Fact]
    public void Unknown_gated_and_uncached_models_get_one_clear_line()
    {
        _hub.AddRepo("test/gated", ("config.json", Encoding.UTF8.GetBytes("{}"), false)).Gated = true;
        var cases = new (string[] Args, Dictionary<string, string?> Environment, string Message)[]
        {
            (["download", "hf-hub:test/no-such-model"], [], "'test/no-such-model' was not found"),
            (["predict", "--weights", "hf-hub:test/gated", Image("coffee.webp")], [], "HF_TOKEN"),
            (["download", "hf-hub:test/gated"], new() { ["HF_TOKEN"] = "hf_wrong" }, "has no access"),
            (["download", "hf-hub:" + RepoId + "@v2"], [], "has no revision 'v2'"),
            (["download", "hf-hub:" + RepoId], new() { ["HF_HUB_OFFLINE"] = "1" }, "HF_HUB_OFFLINE is set"),
            (["download", "hf-hub:../../etc"], [], "not a valid hub reference"),
            (["download", "hf-hub:" + RepoId], new() { ["HF_ENDPOINT"] = "file:///etc" }, "HF_ENDPOINT 'file:///etc' is not an http(s) URL"),
        };

        foreach (var (args, environment, message) in cases)
        {
            var result = Run(environment, args);

            result.ExitCode.Should().BeOneOf([1, 2], result.ToString());
            var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines.Should().ContainSingle(result.ToString()).Which.Should().StartWith("error: ").And.Contain(message);
        }

        Directory.Exists(Path.Combine(_temp.Path, "etc")).Should().BeFalse();
    }

    private static byte[] RandomBytes(int count) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(count);

    private ConvMixerTool.Result Run(params string[] args) => Run([], args);

    private ConvMixerTool.Result Run(Dictionary<string, string?> environment, params string[] args)
    {
        var full = new Dictionary<string, string?>
        {
            ["HF_ENDPOINT"] = _hub.Endpoint,
            ["HF_HOME"] = HfHome,
            ["HF_HUB_OFFLINE"] = null,
            ["XDG_CACHE_HOME"] = null,
        };
        foreach (var (name, value) in environment)
        {
            full[name] = value;
        }

        return ConvMixerTool.RunWith(full, null, 120, args);
    }
}
