namespace ConvMixerNet.Server.Tests;

/// <summary>A singleton that tells when the container that made it is disposed.</summary>
internal sealed class DisposalProbe : IDisposable
{
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Disposed => _disposed.Task;

    public void Dispose() => _disposed.TrySetResult();
}
