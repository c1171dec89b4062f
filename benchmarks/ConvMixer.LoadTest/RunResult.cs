namespace ConvMixerNet.LoadTest;

/// <summary>One bounded run: a number of requests under one protocol from a number of clients against one server setting.</summary>
internal sealed record RunResult(
    int BatchSize, Protocol Protocol, int Clients, int Requests, int Errors, int Mismatches, double Seconds, double P50Ms, double P99Ms, double MeanBatch,
    long? RssBeforeKiB, long? RssAfterKiB)
{
    public double RequestsPerSecond => Requests / Seconds;
}
