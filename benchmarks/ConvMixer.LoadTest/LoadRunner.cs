using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ConvMixerNet.LoadTest;

/// <summary>Sends a fixed number of requests from a fixed number of clients, each client sending its next request when answered.</summary>
internal sealed class LoadRunner(HttpClient client, IReadOnlyList<UploadImage> images, AnswerBook answers)
{
    private static readonly Uri Classify = new("v1/classify", UriKind.Relative);
    private string? _firstError;

    /// <summary>The first error answer or failure seen, to show why a run had errors.</summary>
    public string? FirstError => _firstError;

    public async Task<(int Errors, int Mismatches, double Seconds, double[] LatenciesMs)> RunAsync(int requests, int clients)
    {
        var latencies = new double[requests];
        var next = -1;
        var errors = 0;
        var mismatches = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                var image = images[i % images.Count];
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var content = new ByteArrayContent(image.Data);
                    content.Headers.ContentType = new MediaTypeHeaderValue(image.ContentType);
                    using var response = await client.PostAsync(Classify, content);
                    var body = await response.Content.ReadAsStringAsync();
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref _firstError, $"{(int)response.StatusCode} {body}", null);
                        continue;
                    }

                    using var document = JsonDocument.Parse(body);
                    if (!answers.Agrees(image.Path, document.RootElement.GetProperty("predictions")))
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
                catch (HttpRequestException e)
                {
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref _firstError, e.Message, null);
                }
            }
        })));
        return (errors, mismatches, stopwatch.Elapsed.TotalSeconds, latencies);
    }

    /// <summary>Nearest-rank percentile.</summary>
    public static double Percentile(double[] values, double percent)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Max(0, (int)Math.Ceiling(percent / 100 * sorted.Length) - 1)];
    }
}
