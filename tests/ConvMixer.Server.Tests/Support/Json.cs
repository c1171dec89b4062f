using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConvMixerNet.Server.Tests;

/// <summary>The server's JSON conventions (snake_case names and enums), for reading its answers.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
