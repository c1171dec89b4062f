using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>ConvMixerNet.Serving in an app of its own: services.AddConvMixerClassification() + app.MapConvMixerClassification().</summary>
public class ServingLibraryTests
{
    private const string Photo = "cat_landscape.jpg";

    [Fact]
    public async Task A_plain_app_classifies_through_the_library_and_keeps_its_own_routes_and_json()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Models:Cats:Weights"] = Fixtures.Weights,
            ["Models:Cats:InputSize"] = Fixtures.InputSize.ToString(CultureInfo.InvariantCulture),
        });
        builder.Services.AddConvMixerClassification(builder.Configuration.GetSection("Models:Cats"));
        await using var app = builder.Build();
        app.MapConvMixerClassification();
        app.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapGet("/hello", () => "the app's own route");
        app.MapPost("/mine", async (IImageClassificationService classifier, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var predictions = await classifier.ClassifyAsync(body.ToArray(), topK: 2, request.HttpContext.RequestAborted);
            return Results.Ok(new { TopLabel = predictions[0].Label, TopProbability = predictions[0].Probability, Count = predictions.Count });
        });
        await app.StartAsync();
        using var client = app.GetTestClient();
        await WaitUntilReadyAsync(client, "/ready");
        var expected = Fixtures.Expected(Photo, topK: 2);
        var image = File.ReadAllBytes(Fixtures.Image(Photo));

        (await client.GetStringAsync(new Uri("/hello", UriKind.Relative))).Should().Be("the app's own route");

        // The app's endpoint goes through the same queue; the app's JSON settings (camelCase) are its own.
        using var mine = await client.PostAsync(new Uri("/mine", UriKind.Relative), Jpeg(image));
        var mineText = await mine.Content.ReadAsStringAsync();
        mine.StatusCode.Should().Be(HttpStatusCode.OK, mineText);
        using (var answer = JsonDocument.Parse(mineText))
        {
            answer.RootElement.GetProperty("topLabel").GetString().Should().Be(expected[0].Label);
            answer.RootElement.GetProperty("topProbability").GetSingle().Should().BeApproximately(expected[0].Probability, 1e-6f);
            answer.RootElement.GetProperty("count").GetInt32().Should().Be(2);
        }

        // The library's endpoint keeps the API's snake_case form in an app that does not use it.
        using var v1 = await client.PostAsync(new Uri("/v1/classify?top=2", UriKind.Relative), Jpeg(image));
        var v1Text = await v1.Content.ReadAsStringAsync();
        v1.StatusCode.Should().Be(HttpStatusCode.OK, v1Text);
        using (var answer = JsonDocument.Parse(v1Text))
        {
            var first = answer.RootElement.GetProperty("predictions")[0];
            first.GetProperty("index").GetInt32().Should().Be(expected[0].ClassIndex);
            answer.RootElement.GetProperty("elapsed_ms").GetDouble().Should().BePositive();
            first.GetProperty("label").GetString().Should().Be(expected[0].Label);
        }

        // Only the API is mapped: the server's page is not part of the library.
        (await client.GetAsync(new Uri("/", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await app.StopAsync();
    }

    [Fact]
    public async Task Options_set_in_code_are_validated_when_the_app_starts()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddConvMixerClassification(options =>
        {
            options.Weights = Fixtures.Weights;
            options.BatchSize = 0;
            options.QueueCapacity = -3;
        });
        await using var app = builder.Build();

        var start = () => app.StartAsync();

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Message.Should().Contain("ConvMixer:BatchSize must be at least 1, not 0").And.Contain("ConvMixer:QueueCapacity must be at least 1, not -3");
    }

    private static ByteArrayContent Jpeg(byte[] data)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return content;
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await client.GetAsync(new Uri(path, UriKind.Relative))).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The model did not load within 60 s.");
            }

            await Task.Delay(20);
        }
    }
}
