using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>ConvMixer:ApiKeyFile: keys on the classification and model endpoints, open health and metrics, live key changes.</summary>
public class ApiKeyTests
{
    private const string First = "k1-4f9b2c7d1e8a";
    private const string Second = "k2-9a8b7c6d5e4f";
    private const string Wrong = "k3-0000000000000";

    [Fact]
    public async Task Classification_and_model_endpoints_need_a_key_while_health_and_metrics_stay_open_and_no_key_is_logged()
    {
        using var temp = new TestSupport.TemporaryDirectory();
        var keyFile = temp.File("keys.txt");
        await File.WriteAllTextAsync(keyFile, $"# service keys\n{First}\n\n{Second}\n");
        var log = new LogRecorder();
        using var factory = new ServerFactory(Settings(keyFile), log: log);
        using var client = await factory.ReadyClientAsync();

        foreach (var (method, path) in Protected)
        {
            using var anonymous = await client.SendAsync(Request(method, path));
            await ShouldBeRefusedAsync(anonymous, "an API key is required");
            using var wrong = await client.SendAsync(Request(method, path, bearer: Wrong));
            await ShouldBeRefusedAsync(wrong, "the API key is not valid");
        }

        using (var bearer = await client.SendAsync(Request(HttpMethod.Post, "/v1/classify", bearer: First)))
        {
            bearer.StatusCode.Should().Be(HttpStatusCode.OK, await bearer.Content.ReadAsStringAsync());
        }

        using (var header = await client.SendAsync(Request(HttpMethod.Get, "/v2/models/convmixer_32_2", apiKey: Second)))
        {
            header.StatusCode.Should().Be(HttpStatusCode.OK, await header.Content.ReadAsStringAsync());
        }

        foreach (var open in new[] { "/healthz", "/readyz", "/v2", "/v2/health/live", "/v2/health/ready", "/metrics" })
        {
            (await client.GetAsync(new Uri(open, UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK, open);
        }

        log.Messages.Should().NotBeEmpty().And.NotContain(m => m.Contains(First) || m.Contains(Second) || m.Contains(Wrong));
    }

    [Fact]
    public async Task A_replaced_key_file_applies_to_the_next_request()
    {
        using var temp = new TestSupport.TemporaryDirectory();
        var keyFile = temp.File("keys.txt");
        await File.WriteAllTextAsync(keyFile, First + "\n");
        using var factory = new ServerFactory(Settings(keyFile));
        using var client = await factory.ReadyClientAsync();
        (await client.SendAsync(Request(HttpMethod.Get, "/v1/model", bearer: First))).StatusCode.Should().Be(HttpStatusCode.OK);

        // As deploy tools do: write the new file beside it, then rename it over the old one.
        var next = temp.File("keys.txt.new");
        await File.WriteAllTextAsync(next, Second + "\n");
        File.Move(next, keyFile, overwrite: true);

        (await client.SendAsync(Request(HttpMethod.Get, "/v1/model", bearer: First))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await client.SendAsync(Request(HttpMethod.Get, "/v1/model", bearer: Second))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static readonly (HttpMethod Method, string Path)[] Protected =
    [
        (HttpMethod.Post, "/v1/classify"),
        (HttpMethod.Post, "/v1/explain"),
        (HttpMethod.Get, "/v1/model"),
        (HttpMethod.Get, "/v2/models/convmixer_32_2"),
        (HttpMethod.Get, "/v2/models/convmixer_32_2/ready"),
        (HttpMethod.Post, "/v2/models/convmixer_32_2/infer"),
        (HttpMethod.Post, "/v2/models/convmixer_32_2/versions/1/infer"),
    ];

    private static Dictionary<string, string?> Settings(string keyFile) => new()
    {
        ["ConvMixer:ApiKeyFile"] = keyFile,
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
    };

    private static HttpRequestMessage Request(HttpMethod method, string path, string? bearer = null, string? apiKey = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (method == HttpMethod.Post)
        {
            var content = new ByteArrayContent(File.ReadAllBytes(Fixtures.Image("cat_landscape.jpg")));
            content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            request.Content = content;
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }

        return request;
    }

    private static async Task ShouldBeRefusedAsync(HttpResponseMessage response, string problem)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"{response.RequestMessage!.RequestUri}: {text}");
        response.Headers.WwwAuthenticate.Should().ContainSingle(h => h.Scheme == "Bearer");
        using var error = JsonDocument.Parse(text);
        error.RootElement.GetProperty("error").GetString().Should().Contain(problem);
    }
}
