using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>The settings' sources as the README lists them, on the real process: appsettings.json, the environment, the command line.</summary>
public class SettingsSourcesTests
{
    [Fact]
    public async Task Settings_come_from_appsettings_json_the_environment_and_the_command_line_the_later_winning()
    {
        // The content root is the folder the server is started from, where it reads appsettings.json.
        using var folder = new TemporaryDirectory();
        var appsettings = new Dictionary<string, object>
        {
            ["ConvMixer"] = new Dictionary<string, object>
            {
                ["Weights"] = Fixtures.Weights,
                ["InputSize"] = Fixtures.InputSize,
                ["BatchSize"] = 3,
                ["MaxBatchDelayMs"] = 9,
                ["QueueCapacity"] = 5,
                ["MaxUploadBytes"] = 1000,
            },
        };
        File.WriteAllText(folder.File("appsettings.json"), JsonSerializer.Serialize(appsettings));
        var environment = new Dictionary<string, string>
        {
            ["ConvMixer__QueueCapacity"] = "7",
            ["ConvMixer__MaxUploadBytes"] = "2000",
            ["ConvMixer__Threads"] = "1",
        };

        using var server = await ServerProcess.StartAsync(["--max-upload-bytes", "123456"], environment, folder.Path, goldenModel: false);
        using var client = new HttpClient { BaseAddress = server.Address };
        var serving = await ServerFactory.ServingAsync(client);
        using var response = await client.PostAsync(new Uri("v1/classify", UriKind.Relative), ClassifyApiTests.ImageBody(File.ReadAllBytes(Fixtures.Image("coins_gray.jpg")), "image/jpeg"));

        serving.Should().BeEquivalentTo(new { BatchSize = 3, MaxBatchDelayMs = 9, QueueCapacity = 7, Threads = 1, MaxUploadBytes = 123456L });
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var answer = await response.Content.ReadFromJsonAsync<ClassificationResponse>(Json.Options);
        answer!.Model.Should().Be("caseA.pth", "the weights are the ones appsettings.json names");
        ClassifyApiTests.ShouldMatch(answer.Predictions, Fixtures.Expected("coins_gray.jpg"));
    }
}
