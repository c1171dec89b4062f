using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ConvMixerNet.LoadTest;

// A bounded load check of the classification server, over loopback only: for each batch size it starts the server,
// warms it up, sends a fixed number of requests at each client count, then stops it. It prints throughput, p50/p99
// latency, errors, answers that differ, and the server's RSS; it exits 1 on any error, mismatch or RSS growth.
LoadTestSettings settings;
try
{
    settings = LoadTestSettings.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(LoadTestSettings.Usage);
    return 2;
}

var images = settings.Images.Select(UploadImage.Read).ToArray();
var answers = AnswerBook.FromCli(settings.Expected);
var results = new List<RunResult>();
var failures = new List<string>();
Console.WriteLine($"{Environment.ProcessorCount} cores; {images.Length} images; {settings.Requests} requests per run after {settings.Warmup} warm-up requests at each client count.");

if (settings.Url is { } url)
{
    await MeasureAsync(url, settings.Pid);
}
else
{
    var dll = settings.Server ?? DefaultServer();
    foreach (var batchSize in settings.BatchSizes)
    {
        string[] serverArgs =
        [
            "--weights", Path.GetFullPath(settings.Weights!), "--batch-size", Number(batchSize), "--max-batch-delay-ms", Number(settings.MaxBatchDelayMs),
            "--queue-capacity", Number(Math.Max(64, 2 * settings.Clients.Max())),
            .. settings.InputSize is { } side ? new[] { "--input-size", Number(side) } : [],
            .. settings.Threads is { } threads ? new[] { "--threads", Number(threads) } : [],
        ];
        using var server = await LaunchedServer.StartAsync(dll, serverArgs);
        await MeasureAsync(server.Address, server.Pid);
        var exitCode = await server.StopAsync();
        Console.WriteLine($"batch size {batchSize}: the server stopped on SIGTERM with exit code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none (killed)"}.");
        if (exitCode != 0)
        {
            failures.Add($"the server with batch size {batchSize} did not exit 0 on SIGTERM");
        }
    }
}

Console.WriteLine();
Console.WriteLine("| batching | clients | requests | errors | mismatches | requests/s | p50 ms | p99 ms | images per forward | server RSS MiB before → after |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
foreach (var r in results)
{
    var batching = r.BatchSize == 1 ? "off (batch 1)" : $"on (batch ≤ {r.BatchSize}, ≤ {settings.MaxBatchDelayMs} ms)";
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"| {batching} | {r.Clients} | {r.Requests} | {r.Errors} | {r.Mismatches} | {r.RequestsPerSecond:F1} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.MeanBatch:F2} | {MiB(r.RssBeforeKiB)} → {MiB(r.RssAfterKiB)} |"));
}

Console.WriteLine();
failures.InsertRange(0, results.Where(r => r.Errors > 0).Select(r => $"{r.Errors} errors with batch size {r.BatchSize} and {r.Clients} clients"));
failures.InsertRange(0, results.Where(r => r.Mismatches > 0).Select(r => $"{r.Mismatches} answers differ with batch size {r.BatchSize} and {r.Clients} clients"));
Console.WriteLine(failures.Count == 0 ? "check passed: no errors, every answer agrees, RSS flat after warm-up" : "check FAILED: " + string.Join("; ", failures));
return failures.Count == 0 ? 0 : 1;

async Task MeasureAsync(Uri address, int? pid)
{
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Clients.Max() }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    var runner = new LoadRunner(client, images, answers);
    var batchSize = (await ServingAsync(client)).GetProperty("batch_size").GetInt32();
    // Warm up at every client count: each batch size the runs will make gets its first forward (and libtorch its
    // buffers for that shape) before the RSS that must stay flat is read.
    foreach (var clients in settings.Warmup > 0 ? settings.Clients.Distinct() : [])
    {
        await runner.RunAsync(settings.Warmup, clients);
    }

    var afterWarmup = ProcessMemory.ResidentKiB(pid);
    foreach (var clients in settings.Clients)
    {
        var rssBefore = ProcessMemory.ResidentKiB(pid);
        var before = await ServingAsync(client);
        var (errors, mismatches, seconds, latencies) = await runner.RunAsync(settings.Requests, clients);
        var after = await ServingAsync(client);
        var batches = after.GetProperty("batches").GetInt64() - before.GetProperty("batches").GetInt64();
        var imagesRun = after.GetProperty("images").GetInt64() - before.GetProperty("images").GetInt64();
        results.Add(new RunResult(
            batchSize, clients, settings.Requests, errors, mismatches, seconds, LoadRunner.Percentile(latencies, 50), LoadRunner.Percentile(latencies, 99),
            batches == 0 ? 0 : (double)imagesRun / batches, rssBefore, ProcessMemory.ResidentKiB(pid)));
        if (runner.FirstError is { } error)
        {
            Console.Error.WriteLine($"batch size {batchSize}, {clients} clients: first error: {error}");
        }
    }

    // Flat: after the warm-up the server may not keep growing (allowed: 10% or 32 MiB of noise).
    var final = ProcessMemory.ResidentKiB(pid);
    if (afterWarmup is { } start && final is { } end && end - start > Math.Max(32 * 1024, start / 10))
    {
        failures.Add($"the server's RSS grew from {MiB(start)} to {MiB(end)} MiB after warm-up with batch size {batchSize}");
    }
}

static async Task<JsonElement> ServingAsync(HttpClient client) =>
    (await client.GetFromJsonAsync<JsonElement>(new Uri("v1/model", UriKind.Relative))).GetProperty("serving");

static string MiB(long? kib) => kib is { } k ? (k / 1024.0).ToString("F0", CultureInfo.InvariantCulture) : "n/a";

static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

// benchmarks/ConvMixer.LoadTest/bin/<Configuration>/net10.0/ -> src/ConvMixer.Server/bin/<Configuration>/net10.0/
static string DefaultServer()
{
    var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
    var root = here;
    while (root is not null && !File.Exists(Path.Combine(root.FullName, "ConvMixer.sln")))
    {
        root = root.Parent;
    }

    var path = Path.Combine(root?.FullName ?? ".", "src", "ConvMixer.Server", "bin", here.Parent!.Name, here.Name, "ConvMixerNet.Server.dll");
    return File.Exists(path) ? path : throw new FileNotFoundException($"The server is not built at {path}; build it or pass --server.");
}
