using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ConvMixerNet.Serving;

/// <summary>
/// Reads the uploaded image of POST /v1/classify: the raw body (image/* or application/octet-stream) or the
/// multipart/form-data field <see cref="FieldName"/>. Never buffers more than the upload limit.
/// </summary>
public static class UploadReader
{
    /// <summary>The form field that carries the image.</summary>
    public const string FieldName = "image";

    private const string HowToSend =
        "send the image as the request body with Content-Type image/* or application/octet-stream, or as the multipart/form-data field 'image'";

    /// <summary>Reads the image's bytes, or says why the request is refused (400, 413 or 415).</summary>
    public static async Task<Upload> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return TooLarge(limit, request.ContentLength);
        }

        // Kestrel then stops a longer body itself; the counting stream does the same on any server.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = limit;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType))
        {
            return Upload.Refused(StatusCodes.Status415UnsupportedMediaType, $"the request has no Content-Type: {HowToSend}");
        }

        try
        {
            var body = new LengthLimitedStream(request.Body, limit);
            if (mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                return await ReadFormAsync(body, mediaType, limit, cancellationToken).ConfigureAwait(false);
            }

            if (mediaType.Type.Equals("image", StringComparison.OrdinalIgnoreCase)
                || mediaType.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            {
                var data = await ReadAllAsync(body, request.ContentLength, cancellationToken).ConfigureAwait(false);
                return data.Length > 0 ? Upload.Of(data) : Upload.Refused(StatusCodes.Status400BadRequest, "the request body is empty: send the image's bytes");
            }

            return Upload.Refused(StatusCodes.Status415UnsupportedMediaType, $"Content-Type {mediaType.MediaType} is not accepted: {HowToSend}");
        }
        catch (UploadTooLargeException)
        {
            return TooLarge(limit, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit, null);
        }
        catch (InvalidDataException e)
        {
            return Upload.Refused(StatusCodes.Status400BadRequest, $"the multipart/form-data body is malformed: {e.Message}");
        }
    }

    private static async Task<Upload> ReadFormAsync(Stream body, MediaTypeHeaderValue mediaType, long limit, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return Upload.Refused(StatusCodes.Status400BadRequest, "the multipart/form-data Content-Type has no boundary");
        }

        var reader = new MultipartReader(boundary, body) { BodyLengthLimit = limit };
        while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
        {
            // Other fields are skipped: the reader drains a section when asked for the next one.
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                && HeaderUtilities.RemoveQuotes(disposition.Name).Equals(FieldName, StringComparison.Ordinal))
            {
                var data = await ReadAllAsync(section.Body, null, cancellationToken).ConfigureAwait(false);
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                return data.Length > 0
                    ? Upload.Of(data, string.IsNullOrEmpty(fileName) ? null : Path.GetFileName(fileName))
                    : Upload.Refused(StatusCodes.Status400BadRequest, "the form field 'image' is empty: choose an image file");
            }
        }

        return Upload.Refused(StatusCodes.Status400BadRequest, "the form has no field named 'image'");
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, long? expectedLength, CancellationToken cancellationToken)
    {
        using var buffer = expectedLength is > 0 ? new MemoryStream((int)expectedLength.Value) : new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static Upload TooLarge(long limit, long? length) => Upload.Refused(
        StatusCodes.Status413PayloadTooLarge,
        length is { } n ? $"the upload is {n} bytes; the limit is {limit} bytes" : $"the upload is larger than the limit of {limit} bytes");
}
