using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ConvMixerNet.Serving;

/// <summary>
/// KServe's Open Inference Protocol (v2) over REST: server and model metadata, health, and inference with FP32 or
/// encoded-image inputs, Triton's classification and binary tensor data extensions; batched through the same queue
/// as /v1/classify.
/// </summary>
internal static class OpenInferenceEndpoints
{
    /// <summary>The protocol extensions this server implements, as GET /v2 lists them.</summary>
    public static readonly string[] Extensions = ["binary_tensor_data", "classification"];

    private const string HeaderLength = "Inference-Header-Content-Length";

    /// <summary>Metadata and health on <paramref name="app"/>, the model's routes on <paramref name="secured"/>.</summary>
    public static IEndpointRouteBuilder MapOpenInference(this IEndpointRouteBuilder app, IEndpointRouteBuilder secured)
    {
        app.MapGet("/v2", () => Results.Json(
            new { Name = "convmixer-dotnet", Version = typeof(OpenInferenceEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0", Extensions },
            ServingJson.Options));
        app.MapGet("/v2/health/live", () => Results.Json(new { Live = true }, ServingJson.Options));
        app.MapGet("/v2/health/ready", (ClassificationQueue queue) =>
            Results.Json(new { Ready = queue.IsReady }, ServingJson.Options, statusCode: queue.IsReady ? 200 : StatusCodes.Status503ServiceUnavailable));
        foreach (var prefix in new[] { "/v2/models/{name}", "/v2/models/{name}/versions/{version}" })
        {
            secured.MapGet(prefix, Metadata);
            secured.MapGet(prefix + "/ready", Ready);
            secured.MapPost(prefix + "/infer", InferAsync);
        }

        return app;
    }

    private static IResult Metadata(string name, string? version, HttpContext context, ClassificationQueue queue, IOptions<ConvMixerServingOptions> options)
    {
        if (Find(name, version, context, queue, options.Value, out var model) is { } refused)
        {
            return refused;
        }

        var input = model!.Description.Preprocessing;
        return Results.Json(
            new
            {
                Name = name,
                Versions = new[] { ModelSignature.Version },
                Platform = model.Platform,
                Parameters = new { queue.Version?.Sha256, queue.Version?.LoadedAt },
                Inputs = new[]
                {
                    new TensorMetadata(ModelSignature.TensorInput, "FP32", [-1, input.InChannels, input.InputSize, input.InputSize]),
                    new TensorMetadata(ModelSignature.ImageInput, "BYTES", [-1]),
                },
                Outputs = new[]
                {
                    new TensorMetadata(ModelSignature.Logits, "FP32", [-1, model.ClassCount]),
                    new TensorMetadata(ModelSignature.Probabilities, "FP32", [-1, model.ClassCount]),
                },
            },
            ServingJson.Options);
    }

    // Another model's name is 404; while loading or stopping the answer is {"ready": false} with 503.
    private static IResult Ready(string name, string? version, HttpContext context, ClassificationQueue queue, IOptions<ConvMixerServingOptions> options) =>
        Find(name, version, context, queue, options.Value, out var model) is { } refused && model is not null && !queue.IsStopping
            ? refused
            : Results.Json(new { Name = name, Ready = queue.IsReady }, ServingJson.Options, statusCode: queue.IsReady ? 200 : StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> InferAsync(string name, string? version, HttpContext context, ClassificationQueue queue, IOptions<ConvMixerServingOptions> options)
    {
        var settings = options.Value;
        if (Find(name, version, context, queue, settings, out var model) is { } refused)
        {
            return refused;
        }

        // Refuse before reading, so an overloaded server spends nothing on work it cannot queue.
        if (queue.IsFull)
        {
            return ApiEndpoints.Unavailable(context, ServingUnavailableException.Describe(Admission.QueueFull));
        }

        long? jsonLength = null;
        if (context.Request.Headers.TryGetValue(HeaderLength, out var lengthText))
        {
            if (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                return ApiEndpoints.Error(StatusCodes.Status400BadRequest, $"{HeaderLength} must be a whole number of bytes, not '{lengthText}'");
            }

            jsonLength = length;
        }

        var body = await ReadBodyAsync(context.Request, settings.MaxUploadBytes, context.RequestAborted);
        if (body is null)
        {
            return ApiEndpoints.Error(StatusCodes.Status413PayloadTooLarge, $"the request is larger than the limit of {settings.MaxUploadBytes} bytes");
        }

        InferenceRequest request;
        try
        {
            request = InferenceRequestParser.Parse(body, jsonLength, model!, settings.BatchSize);
        }
        catch (InferenceRequestException e)
        {
            return ApiEndpoints.Error(StatusCodes.Status400BadRequest, e.Message);
        }

        var admission = queue.TryEnqueueLogits(request.Values, request.Count, context.RequestAborted, out var answer, out var inFlight);
        if (admission != Admission.Accepted)
        {
            return ApiEndpoints.Unavailable(context, ServingUnavailableException.Describe(admission));
        }

        context.Response.RegisterForDispose(inFlight!);
        float[] logits;
        try
        {
            logits = await answer;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty; // the client has gone; the worker skipped its batch
        }

        var (bytes, headerLength) = InferenceResponseWriter.Write(name, request, logits, model!.Description.Classes);
        if (headerLength is { } n)
        {
            context.Response.Headers[HeaderLength] = n.ToString(CultureInfo.InvariantCulture);
            return Results.Bytes(bytes, "application/octet-stream");
        }

        return Results.Bytes(bytes, "application/json");
    }

    // The loaded model when name and version are its own; otherwise the answer: 503 while loading or stopping, 404 for another model.
    private static IResult? Find(string name, string? version, HttpContext context, ClassificationQueue queue, ConvMixerServingOptions options, out IClassificationModel? model)
    {
        model = queue.Model;
        if (queue.IsStopping)
        {
            return ApiEndpoints.Unavailable(context, ServingUnavailableException.Describe(Admission.ShuttingDown));
        }

        if (model is null)
        {
            return ApiEndpoints.Unavailable(context, ServingUnavailableException.Describe(Admission.NotReady));
        }

        var served = ModelSignature.NameOf(model, options);
        if (name != served)
        {
            return ApiEndpoints.Error(StatusCodes.Status404NotFound, $"unknown model '{name}': this server serves '{served}'");
        }

        return version is null || version == ModelSignature.Version ? null
            : ApiEndpoints.Error(StatusCodes.Status404NotFound, $"model '{name}' has version {ModelSignature.Version}, not '{version}'");
    }

    // The whole body, at most the limit (null when larger); Kestrel stops a longer body itself, the counting stream does the same on any server.
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = limit;
        }

        try
        {
            using var buffer = request.ContentLength is long n and > 0 ? new MemoryStream((int)n) : new MemoryStream();
            await new LengthLimitedStream(request.Body, limit).CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (UploadTooLargeException)
        {
            return null;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    private sealed record TensorMetadata(string Name, string Datatype, int[] Shape);
}
