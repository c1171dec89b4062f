namespace ConvMixerNet.Vision.Tests;

/// <summary>Files under a per-run temporary folder (removed by the OS's temp cleaning; names never collide).</summary>
internal static class TempFile
{
    private static readonly string Root = Directory.CreateTempSubdirectory("convmixer-vision-tests-").FullName;

    public static string With(byte[] content, string extension)
    {
        var path = Path.Combine(Root, Guid.NewGuid().ToString("N") + extension);
        File.WriteAllBytes(path, content);
        return path;
    }

    public static string NewFolder()
    {
        var path = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
