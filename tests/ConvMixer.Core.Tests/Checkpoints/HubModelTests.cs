using ConvMixerNet.Hub;
using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// Models named by hub reference: the names that resolve, and loading from the Hugging Face cache offline (the cache
/// built here by huggingface_hub's documented layout; the download itself is tested in ConvMixerNet.Hub.Tests).
/// </summary>
public sealed class HubModelTests : IDisposable
{
    private const string Commit = "89abcdef0123456789abcdef0123456789abcdef";

    private readonly TemporaryDirectory _temp = new();

    [Theory]
    [InlineData("hf-hub:timm/convmixer_768_32.in1k", "timm/convmixer_768_32.in1k", "main")]
    [InlineData("hf-hub:org/model@v2", "org/model", "v2")]
    [InlineData("convmixer_768_32", "timm/convmixer_768_32.in1k", "main")]
    [InlineData("CONVMIXER_1536_20", "timm/convmixer_1536_20.in1k", "main")]
    [InlineData("convmixer_1024_20_ks9_p14.in1k", "timm/convmixer_1024_20_ks9_p14.in1k", "main")]
    public void Hub_references_and_published_names_name_hub_repositories(string text, string repoId, string revision)
    {
        var reference = ModelReference.ToHubReference(text);

        reference.Should().Be(new HubReference(repoId, revision));
    }

    [Fact]
    public void Paths_and_names_without_published_weights_stay_local()
    {
        var folder = Directory.CreateDirectory(_temp.File("convmixer_768_32")).FullName;

        ModelReference.ToHubReference(folder).Should().BeNull();
        ModelReference.ToHubReference("convmixer_256_8_ks5_p2_cifar10").Should().BeNull("the CIFAR-10 model is not on the hub");
        ModelReference.ToHubReference("weights.safetensors").Should().BeNull();
        ModelReference.Resolve("weights.safetensors").Should().Be("weights.safetensors");
        var malformed = () => ModelReference.ToHubReference("hf-hub:a/b/c");
        malformed.Should().Throw<FormatException>().WithMessage("*'name' or 'namespace/name'*");
    }

    [Fact]
    public void FromCheckpoint_loads_a_hub_model_from_the_cache_offline_as_the_folder_itself()
    {
        var golden = GoldenCase.Load("caseA");
        using var original = ConvMixer.FromCheckpoint(golden.PthPath);
        var folder = _temp.File("folder");
        ModelFolder.Save(original, folder);
        var cache = _temp.File("cache");
        LayOutCache(cache, "models--org--golden", folder);
        var offline = new CheckpointLoadOptions { Hub = new HubOptions { CacheDirectory = cache, Offline = true, Endpoint = "http://127.0.0.1:9" } };

        using var fromHub = ConvMixer.FromCheckpoint("hf-hub:org/golden", offline);
        using var fromFolder = ConvMixer.FromCheckpoint(folder);

        fromHub.Config.Should().Be(fromFolder.Config);
        fromHub.Pretrained.Should().Be(fromFolder.Pretrained);
        using var snapshot = new StateSnapshot(fromFolder);
        snapshot.ShouldEqual(fromHub);
        using var model = new ConvMixer(golden.Config);
        model.LoadCheckpoint("hf-hub:org/golden@" + Commit, offline).LoadedKeys.Should().BeEquivalentTo(model.state_dict().Keys);
        using var input = golden.Input;
        using var _ = torch.no_grad();
        using var logits = fromHub.forward(input);
        logits.ShouldBeClose(golden.Logits);
        var missing = () => ConvMixer.FromCheckpoint("hf-hub:org/other", offline);
        missing.Should().Throw<HubException>().WithMessage("*HF_HUB_OFFLINE*hf-hub:org/other*");
    }

    public void Dispose() => _temp.Dispose();

    // blobs/{name}, snapshots/{commit}/{file} -> ../../blobs/{name}, refs/main: the layout huggingface_hub documents.
    private static void LayOutCache(string cache, string repoFolder, string modelFolder)
    {
        var repo = Path.Combine(cache, repoFolder);
        var snapshot = Directory.CreateDirectory(Path.Combine(repo, "snapshots", Commit)).FullName;
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit);
        foreach (var file in new[] { "config.json", "model.safetensors" })
        {
            var blob = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(modelFolder, file)))).ToLowerInvariant();
            File.Copy(Path.Combine(modelFolder, file), Path.Combine(repo, "blobs", blob));
            File.CreateSymbolicLink(Path.Combine(snapshot, file), "../../blobs/" + blob);
        }
    }
}
