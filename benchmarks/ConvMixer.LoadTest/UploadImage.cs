namespace ConvMixerNet.LoadTest;

/// <summary>An image file held in memory with the Content-Type it is sent with.</summary>
internal sealed record UploadImage(string Path, byte[] Data, string ContentType)
{
    public static UploadImage Read(string path) => new(path, File.ReadAllBytes(path), System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".webp" => "image/webp",
        ".bmp" => "image/bmp",
        ".gif" => "image/gif",
        _ => "application/octet-stream",
    });
}
