using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>GET /metrics of the server process: Prometheus's text format, checked by promtool and scraped by a real Prometheus.</summary>
public partial class MetricsTests
{
    [Fact]
    public async Task The_metrics_pass_promtool_and_count_what_was_served()
    {
        using var server = await ServerProcess.StartAsync();
        using var client = new HttpClient { BaseAddress = server.Address };
        await ServeAsync(client);

        var text = await client.GetStringAsync(new Uri("metrics", UriKind.Relative));

        var (exitCode, output) = await RunAsync("promtool", ["check", "metrics"], text);
        exitCode.Should().Be(0, $"promtool says:\n{output}\n---\n{text}");
        Sum(text, "convmixer_inference_requests_total", "outcome=\"success\"").Should().Be(4, text);
        Sum(text, "convmixer_inference_images_total", "model=\"convmixer_32_2\"").Should().Be(5);
        Sum(text, "convmixer_batch_executions_total", "model=\"convmixer_32_2\"").Should().Be(4);
        Sum(text, "convmixer_queue_duration_seconds_count", null).Should().Be(4);
        Sum(text, "convmixer_compute_duration_seconds_count", null).Should().Be(4);
        Sum(text, "convmixer_queue_depth", null).Should().Be(0);
        Sum(text, "http_server_request_duration_seconds_count", "http_route=\"/v1/classify\"").Should().Be(3);
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_the_counts()
    {
        using var server = await ServerProcess.StartAsync();
        using var client = new HttpClient { BaseAddress = server.Address };
        using var storage = new TestSupport.TemporaryDirectory();
        var port = FreePort();
        var config = storage.File("prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: convmixer
                metrics_path: /metrics
                static_configs:
                  - targets: ["127.0.0.1:{server.Address.Port}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("prometheus")
        {
            ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={storage.File("data")}", $"--web.listen-address=127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        prometheus.OutputDataReceived += (_, _) => { };
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            await ServeAsync(client);
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            // Prometheus scrapes every second: ask until it has scraped what was served (the values only grow to it).
            var images = await QueryUntilAsync(api, "sum(convmixer_inference_images_total)", 5);
            var batches = await QueryUntilAsync(api, "sum(convmixer_batch_executions_total)", 4);
            var successes = await QueryUntilAsync(api, "sum(convmixer_inference_requests_total{outcome=\"success\"})", 4);

            images.Should().Be(5);
            batches.Should().Be(4);
            successes.Should().Be(4);
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
        }
    }

    // Three /v1 classifications one after the other and a /v2 inference of two images: four batches, five images.
    private static async Task ServeAsync(HttpClient client)
    {
        foreach (var photo in new[] { "cat_landscape.jpg", "coffee.webp", "camera_gray.png" })
        {
            using var content = new ByteArrayContent(File.ReadAllBytes(Fixtures.Image(photo)));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await client.PostAsync(new Uri("v1/classify", UriKind.Relative), content);
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input",
                ["datatype"] = "FP32",
                ["shape"] = new JsonArray(2, 3, 32, 32),
                ["data"] = new JsonArray([.. Fixtures.GoldenInput.Select(v => (JsonNode)v)]),
            }),
        };
        using var v2 = await client.PostAsync(new Uri("v2/models/convmixer_32_2/infer", UriKind.Relative), InferenceClient.Json(request));
        v2.StatusCode.Should().Be(HttpStatusCode.OK, await v2.Content.ReadAsStringAsync());
    }

    private static async Task<double> QueryUntilAsync(HttpClient api, string query, double expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = double.NaN;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await api.GetAsync(new Uri($"api/v1/query?query={Uri.EscapeDataString(query)}", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var result = answer.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0)
                {
                    last = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                    if (last >= expected)
                    {
                        return last;
                    }
                }
            }

            await Task.Delay(200);
        }

        return last;
    }

    private static double Sum(string text, string name, string? label) => Sample().Matches(text)
        .Where(m => m.Groups["name"].Value == name && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
        .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, string input)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
