using ConvMixerNet.Vision;

namespace ConvMixerNet.Cli;

/// <summary>Tells failures caused by the user's input (reported as one line) from bugs (reported in full).</summary>
internal static class UserError
{
    /// <summary>The one-line message for a user error, or null when the exception is not one.</summary>
    public static string? Describe(Exception e) => e switch
    {
        UsageException or InvalidCheckpointException or CheckpointMismatchException or ImageDecodeException
            or TorchRuntimeException or InvalidDataException or NotSupportedException => e.Message,
        FileNotFoundException notFound => $"file not found: {notFound.FileName ?? notFound.Message}",
        DirectoryNotFoundException => e.Message,
        UnauthorizedAccessException => $"permission denied: {e.Message}",
        ArgumentException => e.Message,
        IOException => e.Message,
        OperationCanceledException => "cancelled",
        _ => null,
    };
}
