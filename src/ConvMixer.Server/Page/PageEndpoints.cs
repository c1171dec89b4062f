namespace ConvMixerNet.Server;

/// <summary>
/// GET / (the page), /app.js and /app.css, embedded in the assembly so the app serves them whatever folder it is
/// started from, with a content security policy that allows only this origin's scripts and styles.
/// </summary>
public static class PageEndpoints
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        ("/", "Page/index.html", "text/html; charset=utf-8"),
        ("/app.js", "Page/app.js", "text/javascript; charset=utf-8"),
        ("/app.css", "Page/app.css", "text/css; charset=utf-8"),
    ];

    /// <summary>Adds the page's routes.</summary>
    public static IEndpointRouteBuilder MapPage(this IEndpointRouteBuilder app)
    {
        foreach (var (route, resource, contentType) in Files)
        {
            var content = Read(resource);
            app.MapGet(route, (HttpContext context) =>
            {
                context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(content, contentType);
            });
        }

        return app;
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(PageEndpoints).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The page file {resource} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
