namespace ConvMixerNet.Serving;

/// <summary>The bytes of an uploaded image (and the file name a form gave it), or the status and message that refuse the request.</summary>
public sealed record Upload(byte[]? Data, int StatusCode, string? Error, string? FileName = null)
{
    /// <summary>An upload that was read.</summary>
    public static Upload Of(byte[] data, string? fileName = null) => new(data, StatusCodes.Status200OK, null, fileName);

    /// <summary>A refused upload.</summary>
    public static Upload Refused(int statusCode, string error) => new(null, statusCode, error);
}
