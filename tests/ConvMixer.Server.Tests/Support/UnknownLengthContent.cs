using System.Net;

namespace ConvMixerNet.Server.Tests;

/// <summary>A body that does not tell its length, so it goes without Content-Length (chunked, over a real connection).</summary>
internal sealed class UnknownLengthContent(byte[] data) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(data).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
