using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace ConvMixerNet.Serving;

/// <summary>The JSON API: POST /v1/classify, GET /v1/model, GET /healthz and GET /readyz.</summary>
public static class ApiEndpoints
{
    /// <summary>Predictions per image when the request does not say.</summary>
    public const int DefaultTop = 5;

    // Seconds a refused client should wait before it tries again.
    private const string RetryAfterSeconds = "1";

    /// <summary>Adds the API's routes: classification and the model on <paramref name="secured"/>, health on <paramref name="app"/>.</summary>
    internal static IEndpointRouteBuilder MapClassificationApi(this IEndpointRouteBuilder app, IEndpointRouteBuilder secured)
    {
        secured.MapPost("/v1/classify", ClassifyAsync);
        secured.MapGet("/v1/model", (ClassificationQueue queue, HttpContext context) => queue.Model is { } model
            ? Results.Json(model.Description with { Serving = queue.Serving, Weights = queue.Version }, ServingJson.Options)
            : Unavailable(context, "the model is still loading"));
        app.MapGet("/healthz", () => Results.Json(new { Status = "alive" }, ServingJson.Options));
        app.MapGet("/readyz", (ClassificationQueue queue) => queue.IsReady
            ? Results.Json(new { Status = "ready" }, ServingJson.Options)
            : Results.Json(new { Status = queue.IsStopping ? "stopping" : "loading" }, ServingJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }

    private static async Task<IResult> ClassifyAsync(HttpContext context, ClassificationQueue queue, IOptions<ConvMixerServingOptions> options)
    {
        var started = Stopwatch.GetTimestamp();
        if (queue.IsStopping)
        {
            return Unavailable(context, "the server is shutting down");
        }

        if (queue.Model is not { } model)
        {
            return Unavailable(context, "the model is still loading");
        }

        var topText = context.Request.Query["top"].ToString();
        if (ParseTop(topText, model.ClassCount) is not { } top)
        {
            return Error(StatusCodes.Status400BadRequest, $"top must be a positive whole number, not '{topText}'");
        }

        // Refuse before reading and decoding, so an overloaded server spends nothing on work it cannot queue.
        if (queue.IsFull)
        {
            return Unavailable(context, "the queue is full; try again shortly");
        }

        var upload = await UploadReader.ReadAsync(context.Request, options.Value.MaxUploadBytes, context.RequestAborted);
        if (upload.Data is not { } data)
        {
            return Error(upload.StatusCode, upload.Error!);
        }

        RgbImage image;
        try
        {
            image = model.Decode(data);
        }
        catch (ImageDecodeException e)
        {
            return Error(StatusCodes.Status400BadRequest, $"the upload cannot be read as an image: {e.Reason}");
        }

        switch (queue.TryEnqueue(image, top, context.RequestAborted, out var answer, out var inFlight))
        {
            case Admission.Accepted:
                // In flight until the response is complete (after the answer is written, whatever happens to it).
                context.Response.RegisterForDispose(inFlight!);
                break;
            case Admission.QueueFull:
                return Unavailable(context, "the queue is full; try again shortly");
            case Admission.NotReady:
                return Unavailable(context, "the model is still loading");
            default:
                return Unavailable(context, "the server is shutting down");
        }

        IReadOnlyList<Prediction> predictions;
        try
        {
            predictions = await answer;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty; // the client has gone; the worker skipped its image
        }

        return Results.Json(
            new ClassificationResponse(predictions.Select(PredictionResponse.Of).ToArray(), model.Name, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2)),
            ServingJson.Options);
    }

    // The default when absent, at most the class count (like the CLI's --top); null when it is not a positive number.
    private static int? ParseTop(string? text, int classCount)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Math.Min(DefaultTop, classCount);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var top) && top >= 1 ? Math.Min(top, classCount) : null;
    }

    internal static IResult Unavailable(HttpContext context, string error)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return Error(StatusCodes.Status503ServiceUnavailable, error);
    }

    internal static IResult Error(int statusCode, string error) => Results.Json(new ErrorResponse(error), ServingJson.Options, statusCode: statusCode);
}
