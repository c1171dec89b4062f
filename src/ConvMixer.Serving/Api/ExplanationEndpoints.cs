using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ConvMixerNet.Serving;

/// <summary>
/// POST /v1/explain?class=K&amp;method=gradcam|eigencam: the upload forms of /v1/classify; answers the overlay as a PNG
/// (the map in viridis colours over the image as the model saw it), or the map as JSON when the client accepts
/// application/json but not image/png first.
/// </summary>
public static class ExplanationEndpoints
{
    private static readonly Dictionary<string, CamMethod> Methods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gradcam"] = CamMethod.GradCam,
        ["eigencam"] = CamMethod.EigenCam,
    };

    /// <summary>Adds the route.</summary>
    internal static IEndpointRouteBuilder MapExplanationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/explain", ExplainAsync);
        return app;
    }

    private static async Task<IResult> ExplainAsync(HttpContext context, ClassificationQueue queue, IOptions<ConvMixerServingOptions> options)
    {
        var started = Stopwatch.GetTimestamp();
        if (queue.IsStopping)
        {
            return ApiEndpoints.Unavailable(context, "the server is shutting down");
        }

        if (queue.Model is not { } model)
        {
            return ApiEndpoints.Unavailable(context, "the model is still loading");
        }

        var classText = context.Request.Query["class"].ToString();
        int? classIndex = null;
        if (classText.Length > 0)
        {
            if (!int.TryParse(classText, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k >= model.ClassCount)
            {
                return ApiEndpoints.Error(StatusCodes.Status400BadRequest, $"class must be a class index from 0 to {model.ClassCount - 1}, not '{classText}'");
            }

            classIndex = k;
        }

        var methodText = context.Request.Query["method"].ToString();
        var method = CamMethod.GradCam;
        if (methodText.Length > 0 && !Methods.TryGetValue(methodText, out method))
        {
            return ApiEndpoints.Error(StatusCodes.Status400BadRequest, $"method must be gradcam or eigencam, not '{methodText}'");
        }

        if (queue.IsFull)
        {
            return ApiEndpoints.Unavailable(context, "the queue is full; try again shortly");
        }

        var upload = await UploadReader.ReadAsync(context.Request, options.Value.MaxUploadBytes, context.RequestAborted);
        if (upload.Data is not { } data)
        {
            return ApiEndpoints.Error(upload.StatusCode, upload.Error!);
        }

        RgbImage image;
        try
        {
            image = model.Decode(data);
        }
        catch (ImageDecodeException e)
        {
            return ApiEndpoints.Error(StatusCodes.Status400BadRequest, $"the upload cannot be read as an image: {e.Reason}");
        }

        switch (queue.TryEnqueueExplanation(image, classIndex, method, context.RequestAborted, out var answer, out var inFlight))
        {
            case Admission.Accepted:
                // In flight until the response is complete, as /v1/classify's requests are.
                context.Response.RegisterForDispose(inFlight!);
                break;
            case Admission.QueueFull:
                return ApiEndpoints.Unavailable(context, "the queue is full; try again shortly");
            case Admission.NotReady:
                return ApiEndpoints.Unavailable(context, "the model is still loading");
            default:
                return ApiEndpoints.Unavailable(context, "the server is shutting down");
        }

        Explanation explanation;
        try
        {
            explanation = await answer;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty; // the client has gone; the worker skipped its image
        }
        catch (NotSupportedException e)
        {
            return ApiEndpoints.Error(StatusCodes.Status400BadRequest, e.Message);
        }

        // The overlay is drawn here, off the worker thread: it touches no tensor.
        if (WantsJson(context.Request))
        {
            return Results.Json(
                new ExplanationResponse(
                    upload.FileName ?? "upload", explanation.ClassIndex, explanation.Label, explanation.Probability, Methods.First(m => m.Value == method).Key,
                    explanation.ToRows(), model.Name, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2)),
                ServingJson.Options);
        }

        context.Response.Headers["X-Class"] = explanation.ClassIndex.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-Probability"] = explanation.Probability.ToString("R", CultureInfo.InvariantCulture);
        return Results.Bytes(ExplanationOverlay.RenderPng(explanation), "image/png");
    }

    // JSON when the client prefers it to a PNG; a PNG for anything else (no Accept, */*, image/*).
    private static bool WantsJson(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        double Quality(Func<MediaTypeHeaderValue, bool> matches) =>
            accepted.Where(matches).Select(a => a.Quality ?? 1.0).DefaultIfEmpty(0.0).Max();

        var json = Quality(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
        var png = Quality(a => a.MediaType.Equals("image/png", StringComparison.OrdinalIgnoreCase) || a.MediaType.Equals("image/*", StringComparison.OrdinalIgnoreCase));
        return json > 0 && json > png;
    }
}
