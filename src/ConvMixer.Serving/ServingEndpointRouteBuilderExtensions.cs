namespace ConvMixerNet.Serving;

/// <summary>Maps ConvMixer classification's endpoints into an app.</summary>
public static class ServingEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps POST /v1/classify, POST /v1/explain, GET /v1/model, GET /healthz, GET /readyz and the Open Inference
    /// Protocol's /v2 routes (metadata, health, inference), and nothing else: the
    /// app keeps its own routes. Needs <see cref="ServingServiceCollectionExtensions.AddConvMixerClassification(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapConvMixerClassification(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapClassificationApi();
        endpoints.MapExplanationApi();
        endpoints.MapOpenInference();
        return endpoints;
    }
}
