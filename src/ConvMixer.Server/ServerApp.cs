using Microsoft.AspNetCore.Diagnostics;
using OpenTelemetry.Metrics;

namespace ConvMixerNet.Server;

/// <summary>Builds the service: configuration, ConvMixerNet.Serving (the batching queue and the API), the page and error handling.</summary>
public static class ServerApp
{
    /// <summary>
    /// Command-line switches for the <c>ConvMixer</c> settings, e.g. <c>--weights model.safetensors --batch-size 16</c>;
    /// <c>--ConvMixer:Weights=…</c>, appsettings.json and <c>ConvMixer__Weights</c> work as in any ASP.NET Core app.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--weights"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.Weights)}",
        ["--input-size"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.InputSize)}",
        ["--batch-size"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.BatchSize)}",
        ["--max-batch-delay-ms"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.MaxBatchDelayMs)}",
        ["--queue-capacity"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.QueueCapacity)}",
        ["--threads"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.Threads)}",
        ["--max-upload-bytes"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.MaxUploadBytes)}",
        ["--model-name"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.ModelName)}",
        ["--api-key-file"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.ApiKeyFile)}",
        ["--watch"] = $"{ConvMixerServingOptions.Section}:{nameof(ConvMixerServingOptions.WatchWeights)}",
    };

    /// <summary>Creates the application from the command line.</summary>
    public static WebApplication Create(string[] args)
    {
        // Before the first tensor: keep libtorch's freed memory for the next forward (see CpuTuning).
        CpuTuning.Apply();

        args = WithFlagValues(args);
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddCommandLine(args, Switches.ToDictionary());
        builder.Services.AddConvMixerClassification(builder.Configuration.GetSection(ConvMixerServingOptions.Section));
        // GET /metrics: the service's meter and ASP.NET Core's HTTP and Kestrel metrics, in Prometheus's text format.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ServingMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteErrorAsync, StatusCodeSelector = StatusCodeOf });
        app.MapConvMixerClassification();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapPage();
        return app;
    }

    // --watch is a flag: alone (last, or before another switch) it means --watch=true; --watch false still works.
    private static string[] WithFlagValues(string[] args) => args
        .Select((arg, i) => arg == "--watch" && (i == args.Length - 1 || args[i + 1].StartsWith('-')) ? "--watch=true" : arg)
        .ToArray();

    // Malformed HTTP keeps its 4xx; anything else is the server's fault. Either way the client gets a sentence, no trace.
    private static int StatusCodeOf(Exception error) => error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;

    private static Task WriteErrorAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var message = error is BadHttpRequestException bad ? $"bad request: {bad.Message}" : "the server failed to answer; the error is in its log";
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message), ServingJson.Options);
    }
}
