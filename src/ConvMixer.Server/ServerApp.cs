using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace ConvMixerNet.Server;

/// <summary>Builds the service: configuration, the batching queue, the API, the page and error handling.</summary>
public static class ServerApp
{
    /// <summary>
    /// Command-line switches for the <c>ConvMixer</c> settings, e.g. <c>--weights model.safetensors --batch-size 16</c>;
    /// <c>--ConvMixer:Weights=…</c>, appsettings.json and <c>ConvMixer__Weights</c> work as in any ASP.NET Core app.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--weights"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Weights)}",
        ["--input-size"] = $"{ServerOptions.Section}:{nameof(ServerOptions.InputSize)}",
        ["--batch-size"] = $"{ServerOptions.Section}:{nameof(ServerOptions.BatchSize)}",
        ["--max-batch-delay-ms"] = $"{ServerOptions.Section}:{nameof(ServerOptions.MaxBatchDelayMs)}",
        ["--queue-capacity"] = $"{ServerOptions.Section}:{nameof(ServerOptions.QueueCapacity)}",
        ["--threads"] = $"{ServerOptions.Section}:{nameof(ServerOptions.Threads)}",
        ["--max-upload-bytes"] = $"{ServerOptions.Section}:{nameof(ServerOptions.MaxUploadBytes)}",
    };

    /// <summary>Creates the application from the command line.</summary>
    public static WebApplication Create(string[] args)
    {
        // Before the first tensor: keep libtorch's freed memory for the next forward (see CpuTuning).
        CpuTuning.Apply();

        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddCommandLine(args, Switches.ToDictionary());
        builder.Services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        builder.Services.AddSingleton<IClassificationModelLoader, CheckpointModelLoader>();
        builder.Services.AddSingleton<ClassificationQueue>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ClassificationQueue>());
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteErrorAsync, StatusCodeSelector = StatusCodeOf });
        app.MapClassificationApi();
        app.MapExplanationApi();
        app.MapPage();
        return app;
    }

    // Malformed HTTP keeps its 4xx; anything else is the server's fault. Either way the client gets a sentence, no trace.
    private static int StatusCodeOf(Exception error) => error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;

    private static Task WriteErrorAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var message = error is BadHttpRequestException bad ? $"bad request: {bad.Message}" : "the server failed to answer; the error is in its log";
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message), context.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions);
    }
}
