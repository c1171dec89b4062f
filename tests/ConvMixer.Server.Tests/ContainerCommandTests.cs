using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>The container's command line (deploy/Dockerfile), run as it is against a model folder in place of /mnt/models.</summary>
public partial class ContainerCommandTests
{
    [Fact]
    public async Task The_dockerfiles_command_line_serves_a_model_folder()
    {
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(ServerProcess.RepositoryRoot, "deploy", "Dockerfile"));
        var entrypoint = JsonSerializer.Deserialize<string[]>(Instruction().Matches(dockerfile).Single(m => m.Groups[1].Value == "ENTRYPOINT").Groups[2].Value)!;
        var command = JsonSerializer.Deserialize<string[]>(Instruction().Matches(dockerfile).Single(m => m.Groups[1].Value == "CMD").Groups[2].Value)!;
        // ServerProcess runs `dotnet <the built ConvMixerNet.Server.dll>` on a loopback port, as the entrypoint does on 8080.
        entrypoint.Should().Equal("dotnet", "ConvMixerNet.Server.dll");
        command.Should().Contain("/mnt/models");

        // A model folder as `convmixer train` and ModelFolder.Save write it: config.json next to the weights.
        using var folder = new TestSupport.TemporaryDirectory();
        using (var model = ConvMixer.FromCheckpoint(Fixtures.Weights))
        {
            ModelFolder.Save(model, folder.Path);
        }

        ModelFolder.IsModelFolder(folder.Path).Should().BeTrue();

        using var server = await ServerProcess.StartAsync(
            command.Select(arg => arg == "/mnt/models" ? folder.Path : arg), new Dictionary<string, string>(), null, goldenModel: false);
        using var client = new HttpClient { BaseAddress = server.Address };

        (await client.GetAsync(new Uri("v2/health/ready", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        using var metadata = JsonDocument.Parse(await client.GetStringAsync(new Uri("v2/models/convmixer_32_2", UriKind.Relative)));
        metadata.RootElement.GetProperty("outputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).Should().Equal(-1, 10);
        using var response = await client.PostAsync(new Uri("v1/classify", UriKind.Relative), ClassifyApiTests.ImageBody(File.ReadAllBytes(Fixtures.Image("coins_gray.jpg")), "image/jpeg"));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await client.GetStringAsync(new Uri("metrics", UriKind.Relative))).Should().Contain("convmixer_inference_requests_total");
        var weightsDigest = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ModelFolder.FindWeights(folder.Path))))[..12];
        metadata.RootElement.GetProperty("parameters").GetProperty("sha256").GetString().Should().Be(weightsDigest, "a model folder is identified by its weights file");
    }

    [GeneratedRegex(@"^(ENTRYPOINT|CMD) (\[.*\])\s*$", RegexOptions.Multiline)]
    private static partial Regex Instruction();
}
