using Microsoft.Net.Http.Headers;

namespace ConvMixerNet.Serving;

/// <summary>
/// Lets a request through to a classification or model endpoint when no key file is set, or when it carries one of
/// its keys as <c>Authorization: Bearer KEY</c> or <c>X-API-Key: KEY</c>; otherwise answers 401 with WWW-Authenticate.
/// </summary>
internal sealed class ApiKeyFilter(ApiKeyStore keys) : IEndpointFilter
{
    public const string HeaderName = "X-API-Key";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!keys.IsEnabled)
        {
            return next(context);
        }

        var http = context.HttpContext;
        var key = Presented(http.Request);
        if (key is not null && keys.IsValid(key))
        {
            return next(context);
        }

        http.Response.Headers.WWWAuthenticate = key is null
            ? "Bearer realm=\"convmixer\""
            : "Bearer realm=\"convmixer\", error=\"invalid_token\"";
        var message = key is null
            ? $"an API key is required: send Authorization: Bearer KEY or {HeaderName}: KEY"
            : "the API key is not valid";
        return ValueTask.FromResult<object?>(ApiEndpoints.Error(StatusCodes.Status401Unauthorized, message));
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var apiKey) && !string.IsNullOrEmpty(apiKey))
        {
            return apiKey.ToString();
        }

        var authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && authorization.Length > bearer.Length
            ? authorization[bearer.Length..].Trim()
            : null;
    }
}
