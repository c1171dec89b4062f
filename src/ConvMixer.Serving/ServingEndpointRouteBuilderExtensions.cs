namespace ConvMixerNet.Serving;

/// <summary>Maps ConvMixer classification's endpoints into an app.</summary>
public static class ServingEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps POST /v1/classify, POST /v1/explain, GET /v1/model, GET /healthz, GET /readyz and the Open Inference
    /// Protocol's /v2 routes (metadata, health, inference), and nothing else (with
    /// <see cref="ConvMixerServingOptions.ApiKeyFile"/>, all but health and server metadata need a key): the
    /// app keeps its own routes. Needs <see cref="ServingServiceCollectionExtensions.AddConvMixerClassification(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapConvMixerClassification(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // With an API key file, the classification and model routes need a key; health and metadata stay open for probes.
        var secured = endpoints.MapGroup(string.Empty).AddEndpointFilter<ApiKeyFilter>();
        endpoints.MapClassificationApi(secured);
        secured.MapExplanationApi();
        endpoints.MapOpenInference(secured);
        return endpoints;
    }
}
