using System.Runtime.InteropServices;
using ConvMixerNet.Hub;
using ConvMixerNet.Vision;

namespace ConvMixerNet.Cli;

/// <summary>
/// Tells failures caused by the user's input or environment (reported as one line) from bugs (reported in full, with
/// the stack). An <see cref="ArgumentException"/> is a bug here: the commands check what the user gives and turn the
/// library's argument errors they expect into <see cref="UsageException"/>s with the option names.
/// </summary>
internal static class UserError
{
    /// <summary>The one-line message for a user error, or null when the exception is not one.</summary>
    public static string? Describe(Exception e) => e switch
    {
        HubException => e.Message, // names the repository and what to do (HF_TOKEN, HF_HUB_OFFLINE)
        UsageException or InvalidCheckpointException or CheckpointMismatchException or ImageDecodeException or TrainingDivergedException or TrainingDataException
            or TorchRuntimeException or InvalidDataException or NotSupportedException => e.Message,
        FileNotFoundException notFound => $"file not found: {notFound.FileName ?? notFound.Message}",
        DirectoryNotFoundException => e.Message,
        UnauthorizedAccessException => $"permission denied: {e.Message}",
        IOException => e.Message, // the file system's own failures: disk full, a file in use, a device error
        OperationCanceledException => "cancelled",
        OutOfMemoryException => "out of memory: the input is too large for this machine; use smaller sizes (--batch-size, --input-size, --dim).",
        ExternalException native when IsAllocationFailure(native) =>
            $"out of memory: {native.Message.Split('\n')[0].Trim()} Use smaller sizes (--batch-size, --input-size, --dim).",
        _ => null,
    };

    // libtorch's CPU allocator reports "DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes".
    private static bool IsAllocationFailure(ExternalException e) =>
        e.Message.Contains("can't allocate memory", StringComparison.Ordinal) || e.Message.Contains("not enough memory", StringComparison.OrdinalIgnoreCase);
}
