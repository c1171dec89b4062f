using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConvMixerNet.Serving;

/// <summary>
/// The API's JSON form (snake_case names and enum values), set per answer so the host app's own JSON settings neither
/// change the API nor are changed by it.
/// </summary>
public static class ServingJson
{
    /// <summary>The serializer settings of every answer of the API.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
