using System.Diagnostics;

namespace ConvMixerNet.LoadTest;

/// <summary>
/// Sends a fixed number of requests from a fixed number of clients, each client sending its next request when
/// answered, and checks every answer. Each failed request (error answer, refused connection, answer that differs) is
/// printed with its body, prefixed by <paramref name="label"/>.
/// </summary>
internal sealed class LoadRunner(HttpClient client, IReadOnlyList<PreparedRequest> requests, AnswerBook answers, string label)
{
    public async Task<(int Errors, int Mismatches, double Seconds, double[] LatenciesMs)> RunAsync(int count, int clients)
    {
        var latencies = new double[count];
        var next = -1;
        var errors = 0;
        var mismatches = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var request = requests[i % requests.Count];
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var message = request.ToMessage();
                    using var response = await client.SendAsync(message);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var jsonLength = AnswerCheck.JsonLength(response);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        Report(clients, i, request, $"{(int)response.StatusCode} {AnswerCheck.Describe(body, jsonLength)}");
                    }
                    else if (AnswerCheck.Problem(request, body, jsonLength, answers) is { } problem)
                    {
                        Interlocked.Increment(ref mismatches);
                        Report(clients, i, request, $"{problem}: {(int)response.StatusCode} {AnswerCheck.Describe(body, jsonLength)}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    Interlocked.Increment(ref errors);
                    Report(clients, i, request, e.Message);
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

    private void Report(int clients, int index, PreparedRequest request, string what) =>
        Console.Error.WriteLine($"{label}, {request.Protocol.Name()}, {clients} clients, request {index} ({Path.GetFileName(request.Image)}) failed: {what}");
}
