using System.Diagnostics.Metrics;

namespace ConvMixerNet.Serving;

/// <summary>
/// The service's instruments on the <see cref="MeterName"/> meter. A Prometheus exporter names them
/// <c>convmixer_inference_requests_total{model,outcome}</c>, <c>convmixer_inference_images_total{model}</c>,
/// <c>convmixer_batch_executions_total{model}</c> (images ÷ executions = mean batch),
/// <c>convmixer_queue_duration_seconds</c>, <c>convmixer_compute_duration_seconds</c> and <c>convmixer_queue_depth</c>.
/// </summary>
public sealed class ServingMetrics
{
    /// <summary>The meter's name, for <c>AddMeter</c> in an OpenTelemetry set-up.</summary>
    public const string MeterName = "ConvMixerNet.Serving";

    // From a millisecond to a minute: queue waits are short, a CPU forward pass of a large model takes seconds.
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _images;
    private readonly Counter<long> _batches;
    private readonly Histogram<double> _queueDuration;
    private readonly Histogram<double> _computeDuration;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>.</summary>
    public ServingMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        _requests = meter.CreateCounter<long>("convmixer_inference_requests", description: "Inference requests (classifications, explanations, /v2 inferences) by outcome");
        _images = meter.CreateCounter<long>("convmixer_inference_images", description: "Images run through the model");
        _batches = meter.CreateCounter<long>("convmixer_batch_executions", description: "Forward passes; images / executions is the mean batch size");
        _queueDuration = meter.CreateHistogram("convmixer_queue_duration", "s", "Time requests waited in the queue before their batch ran", advice: seconds);
        _computeDuration = meter.CreateHistogram("convmixer_compute_duration", "s", "Time of one forward pass (a batch)", advice: seconds);
        meter.CreateObservableGauge("convmixer_queue_depth", () => QueueDepth?.Invoke() ?? 0, description: "Requests waiting for the model");
    }

    /// <summary>What the queue-depth gauge reads (set by the queue).</summary>
    internal Func<int>? QueueDepth { get; set; }

    internal void Request(string model, string outcome) =>
        _requests.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("outcome", outcome));

    internal void Batch(string model, int images, TimeSpan compute)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        _images.Add(images, tag);
        _batches.Add(1, tag);
        _computeDuration.Record(compute.TotalSeconds, tag);
    }

    internal void Queued(string model, TimeSpan waited) => _queueDuration.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("model", model));
}
