using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ConvMixerNet.LoadTest;

// A bounded load check of the classification server, over loopback only: for each batch size it starts the server,
// warms it up, sends a fixed number of requests at each client count under each protocol (/v1/classify, or /v2 infer
// with JSON, binary or BYTES input), then stops it. It prints throughput, p50/p99 latency, errors, answers that differ,
// and the server's RSS; it prints every failed request and exits 1 on any error, mismatch or RSS growth.
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
Console.WriteLine($"{Environment.ProcessorCount} cores; {images.Length} images; {settings.Requests} requests per run after {settings.Warmup} warm-up requests at each client count; protocols {string.Join(",", settings.Protocols.Select(p => p.Name()))}.");

try
{
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
                .. settings.ModelName is { } name ? new[] { "--model-name", name } : [],
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
}
catch (Exception e) when (e is InvalidOperationException or HttpRequestException or FileNotFoundException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

Console.WriteLine();
Console.WriteLine("| batching | protocol | clients | requests | errors | mismatches | requests/s | p50 ms | p99 ms | images per forward | server RSS MiB before → after |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
foreach (var r in results)
{
    var batching = r.BatchSize == 1 ? "off (batch 1)" : $"on (batch ≤ {r.BatchSize}, ≤ {settings.MaxBatchDelayMs} ms)";
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"| {batching} | {r.Protocol.Name()} | {r.Clients} | {r.Requests} | {r.Errors} | {r.Mismatches} | {r.RequestsPerSecond:F1} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.MeanBatch:F2} | {MiB(r.RssBeforeKiB)} → {MiB(r.RssAfterKiB)} |"));
}

Console.WriteLine();
failures.InsertRange(0, results.Where(r => r.Errors > 0).Select(r => $"{r.Errors} errors with batch size {r.BatchSize}, {r.Protocol.Name()} and {r.Clients} clients"));
failures.InsertRange(0, results.Where(r => r.Mismatches > 0).Select(r => $"{r.Mismatches} answers differ with batch size {r.BatchSize}, {r.Protocol.Name()} and {r.Clients} clients"));
Console.WriteLine(failures.Count == 0 ? "check passed: no errors, every answer agrees, RSS flat after warm-up" : "check FAILED: " + string.Join("; ", failures));
return failures.Count == 0 ? 0 : 1;

async Task MeasureAsync(Uri address, int? pid)
{
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Clients.Max() }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    var model = await client.GetFromJsonAsync<JsonElement>(new Uri("v1/model", UriKind.Relative));
    var batchSize = model.GetProperty("serving").GetProperty("batch_size").GetInt32();
    var label = $"batch size {batchSize}";
    var requests = await PrepareAsync(client, model);

    // /v2 answers are checked against /v1's: first one /v1 request per image (itself checked, against --expected when given).
    if (settings.Protocols.Any(p => p != Protocol.V1))
    {
        var (errors, mismatches, _, _) = await new LoadRunner(client, requests[Protocol.V1], answers, $"{label}, reference").RunAsync(images.Length, 1);
        Fail(errors + mismatches, $"{errors} errors and {mismatches} differing answers among the /v1 reference answers with batch size {batchSize}");
    }

    // Warm up at every client count: each batch size the runs will make gets its first forward (and libtorch its
    // buffers for that shape) before the RSS that must stay flat is read.
    foreach (var protocol in settings.Protocols)
    {
        foreach (var clients in settings.Warmup > 0 ? settings.Clients.Distinct() : [])
        {
            var (errors, mismatches, _, _) = await new LoadRunner(client, requests[protocol], answers, $"{label}, warm-up").RunAsync(settings.Warmup, clients);
            Fail(errors + mismatches, $"{errors} errors and {mismatches} differing answers in the warm-up with batch size {batchSize}, {protocol.Name()} and {clients} clients");
        }
    }

    var afterWarmup = ProcessMemory.ResidentKiB(pid);
    foreach (var protocol in settings.Protocols)
    {
        var runner = new LoadRunner(client, requests[protocol], answers, label);
        foreach (var clients in settings.Clients)
        {
            var rssBefore = ProcessMemory.ResidentKiB(pid);
            var before = await ServingAsync(client);
            var (errors, mismatches, seconds, latencies) = await runner.RunAsync(settings.Requests, clients);
            var after = await ServingAsync(client);
            var batches = after.GetProperty("batches").GetInt64() - before.GetProperty("batches").GetInt64();
            var imagesRun = after.GetProperty("images").GetInt64() - before.GetProperty("images").GetInt64();
            results.Add(new RunResult(
                batchSize, protocol, clients, settings.Requests, errors, mismatches, seconds, LoadRunner.Percentile(latencies, 50), LoadRunner.Percentile(latencies, 99),
                batches == 0 ? 0 : (double)imagesRun / batches, rssBefore, ProcessMemory.ResidentKiB(pid)));
        }
    }

    // Flat: after the warm-up the server may not keep growing (allowed: 10% or 32 MiB of noise).
    var final = ProcessMemory.ResidentKiB(pid);
    if (afterWarmup is { } start && final is { } end && end - start > Math.Max(32 * 1024, start / 10))
    {
        failures.Add($"the server's RSS grew from {MiB(start)} to {MiB(end)} MiB after warm-up with batch size {batchSize}");
    }
}

// Every protocol's request for every image, built before any is sent; /v2 ones for the model GET /v1/model describes.
async Task<Dictionary<Protocol, PreparedRequest[]>> PrepareAsync(HttpClient client, JsonElement model)
{
    var requests = new Dictionary<Protocol, PreparedRequest[]> { [Protocol.V1] = [.. images.Select(PreparedRequest.V1)] };
    if (settings.Protocols.All(p => p == Protocol.V1))
    {
        return requests;
    }

    var served = ServedModel.Of(model, settings.ModelName);
    using (var metadata = await client.GetAsync(new Uri($"v2/models/{Uri.EscapeDataString(served.Name)}", UriKind.Relative)))
    {
        if (!metadata.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"GET /v2/models/{served.Name} answered {(int)metadata.StatusCode} {await metadata.Content.ReadAsStringAsync()}; give the server's --model-name");
        }
    }

    foreach (var protocol in settings.Protocols.Where(p => p != Protocol.V1))
    {
        requests[protocol] = [.. images.Select(image => PreparedRequest.V2(protocol, image, served))];
    }

    return requests;
}

void Fail(int count, string failure)
{
    if (count > 0)
    {
        failures.Add(failure);
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
