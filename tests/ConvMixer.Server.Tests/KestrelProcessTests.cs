using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>The built server as its own process on Kestrel: what the in-memory server cannot show.</summary>
public class KestrelProcessTests
{
    [Fact]
    public async Task SIGTERM_answers_the_requests_in_flight_and_exits_0()
    {
        // The worker gathers a batch of up to four for ten minutes: three requests wait in it until the signal.
        using var server = await ServerProcess.StartAsync("--batch-size", "4", "--max-batch-delay-ms", "600000");
        using var client = new HttpClient { BaseAddress = server.Address };
        var photo = "rocket_portrait.jpg";
        var expected = Fixtures.Expected(photo);
        var inFlight = Enumerable.Range(0, 3)
            .Select(_ => client.PostAsync(new Uri("v1/classify", UriKind.Relative), ClassifyApiTests.ImageBody(File.ReadAllBytes(Fixtures.Image(photo)), "image/jpeg")))
            .ToArray();
        var held = await WaitUntilGatheredAsync(client, 3);

        server.SendSigterm();
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var responses = await Task.WhenAll(inFlight);

        held.Should().BeEquivalentTo(new { InFlight = 3, Queued = 0, Batches = 0L, Images = 0L }, "the three wait in the batch being gathered");
        exitCode.Should().Be(0, server.Output);
        server.Output.Should().Contain("Application is shutting down").And.NotContain("shutdown timeout ran out");
        foreach (var response in responses)
        {
            using (response)
            {
                response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
                ClassifyApiTests.ShouldMatch((await response.Content.ReadFromJsonAsync<ClassificationResponse>(Json.Options))!.Predictions, expected);
            }
        }
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_cut_off_with_413()
    {
        using var server = await ServerProcess.StartAsync("--max-upload-bytes", "10000");
        using var client = new HttpClient { BaseAddress = server.Address };
        var photo = File.ReadAllBytes(Fixtures.Image("cat_landscape.jpg"));
        var body = new UnknownLengthContent(photo);
        body.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");

        using var response = await client.PostAsync(new Uri("v1/classify", UriKind.Relative), body);
        using var fine = await client.PostAsync(new Uri("v1/classify?top=1", UriKind.Relative), ClassifyApiTests.ImageBody(File.ReadAllBytes(Fixtures.Image("rocket_portrait.jpg")), "image/jpeg"));

        await ClassifyApiTests.ShouldBeErrorAsync(response, 413, "larger than the limit of 10000 bytes");
        fine.StatusCode.Should().Be(HttpStatusCode.OK, await fine.Content.ReadAsStringAsync());
        (await fine.Content.ReadFromJsonAsync<ClassificationResponse>(Json.Options))!.Predictions.Should().HaveCount(1);
    }

    [Fact]
    public async Task Nonsensical_settings_stop_the_start_with_every_reason_and_a_failing_exit_code()
    {
        var (exitCode, output) = await ServerProcess.RunToExitAsync(
            "--weights", Path.Combine(Path.GetTempPath(), "no-such-model.safetensors"), "--batch-size", "0", "--queue-capacity", "-1");

        exitCode.Should().NotBe(0, output);
        output.Should().Contain("no-such-model.safetensors' is neither a file nor a folder")
            .And.Contain("ConvMixer:BatchSize must be at least 1").And.Contain("ConvMixer:QueueCapacity must be at least 1");
    }

    [Fact]
    public async Task Weights_that_cannot_be_loaded_stop_the_server_with_exit_code_1_and_the_reason()
    {
        using var folder = new TemporaryDirectory();
        var broken = folder.File("broken.safetensors");
        File.WriteAllBytes(broken, [1, 2, 3, 4, 5, 6, 7, 8, 9]);

        var (exitCode, output) = await ServerProcess.RunToExitAsync("--weights", broken);

        exitCode.Should().Be(1, output);
        output.Should().Contain("The model could not be loaded").And.Contain("broken.safetensors");
    }

    [Fact]
    public async Task A_model_folder_is_served_by_its_model_safetensors()
    {
        using var folder = new TemporaryDirectory();
        using (var model = ConvMixer.FromCheckpoint(Fixtures.Weights))
        {
            model.SaveCheckpoint(Path.Combine(folder.Path, ModelFolder.SafetensorsFileName));
        }

        using var server = await ServerProcess.StartAsync("--weights", folder.Path);
        using var client = new HttpClient { BaseAddress = server.Address };
        using var response = await client.PostAsync(new Uri("v1/classify", UriKind.Relative), ClassifyApiTests.ImageBody(File.ReadAllBytes(Fixtures.Image("coins_gray.jpg")), "image/jpeg"));

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var answer = await response.Content.ReadFromJsonAsync<ClassificationResponse>(Json.Options);
        answer!.Model.Should().Be(Path.GetFileName(folder.Path));
        ClassifyApiTests.ShouldMatch(answer.Predictions, Fixtures.Expected("coins_gray.jpg"));
    }

    // Polls the serving counters until the worker has taken `count` requests from the queue into the batch it gathers.
    private static async Task<ServingDescription> WaitUntilGatheredAsync(HttpClient client, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var serving = await ServerFactory.ServingAsync(client);
            if (serving.InFlight >= count && serving.Queued == 0)
            {
                return serving;
            }

            DateTime.UtcNow.Should().BeBefore(deadline, $"the worker should have taken {count} requests by now");
            await Task.Delay(20);
        }
    }
}
