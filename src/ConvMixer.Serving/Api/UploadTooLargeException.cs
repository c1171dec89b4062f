namespace ConvMixerNet.Serving;

/// <summary>A request body went past the upload limit while it was being read.</summary>
public sealed class UploadTooLargeException(long limit)
    : IOException($"the upload is larger than the limit of {limit} bytes")
{
    /// <summary>The limit, in bytes.</summary>
    public long Limit { get; } = limit;
}
