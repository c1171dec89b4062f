namespace ConvMixerNet.Server;

/// <summary>The bytes of an uploaded image, or the status and message that refuse the request.</summary>
public sealed record Upload(byte[]? Data, int StatusCode, string? Error)
{
    /// <summary>An upload that was read.</summary>
    public static Upload Of(byte[] data) => new(data, StatusCodes.Status200OK, null);

    /// <summary>A refused upload.</summary>
    public static Upload Refused(int statusCode, string error) => new(null, statusCode, error);
}
