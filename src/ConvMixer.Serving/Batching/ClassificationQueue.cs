using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace ConvMixerNet.Serving;

/// <summary>
/// Dynamic batching: requests wait in a bounded channel; one dedicated worker thread loads the model, takes up to
/// <see cref="ConvMixerServingOptions.BatchSize"/> requests (waiting at most <see cref="ConvMixerServingOptions.MaxBatchDelayMs"/> once the
/// first has come), runs one forward pass and answers each; explanations queued with them run one at a time on the
/// same thread. All tensors are made and released on that thread:
/// TorchSharp's dispose scopes are per thread and would not follow an async continuation to another one.
/// </summary>
public sealed partial class ClassificationQueue : IHostedService, IDisposable
{
    private readonly ConvMixerServingOptions _options;
    private readonly IClassificationModelLoader _loader;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ClassificationQueue> _logger;
    private readonly Channel<ModelRequest> _channel;
    private readonly TaskCompletionSource _workerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly InFlightRequests _inFlight = new();
    private readonly ServingMetrics _metrics;
    private string _metricName = "loading";
    private CancellationTokenRegistration _stoppingRegistration;
    private Thread? _worker;
    private volatile IClassificationModel? _model;
    private volatile WeightsVersion? _version;
    private (IClassificationModel Model, WeightsVersion Version)? _pending;
    private readonly Lock _pendingLock = new();
    private WeightsWatcher? _watcher;
    private int _reloadRequested;
    private int _reloading;
    private volatile bool _stopping;
    private int _threads;
    private long _batches;
    private long _images;

    /// <summary>Creates the queue; <see cref="StartAsync"/> starts the worker.</summary>
    public ClassificationQueue(
        IOptions<ConvMixerServingOptions> options, IClassificationModelLoader loader, IHostApplicationLifetime lifetime, ILogger<ClassificationQueue> logger, ServingMetrics metrics)
    {
        _metrics = metrics;
        _options = options.Value;
        _loader = loader;
        _lifetime = lifetime;
        _logger = logger;
        _channel = Channel.CreateBounded<ModelRequest>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once, which becomes a 503
        });
        _metrics.QueueDepth = () => _channel.Reader.Count;
    }

    /// <summary>The model, once the worker has loaded it.</summary>
    public IClassificationModel? Model => _model;

    /// <summary>Which weights the model being served came from.</summary>
    public WeightsVersion? Version => _version;

    /// <summary>True once the model is loaded and until the service stops.</summary>
    public bool IsReady => _model is not null && !_stopping;

    /// <summary>True once the service has begun to stop.</summary>
    public bool IsStopping => _stopping;

    /// <summary>True when a request now would be refused for want of room.</summary>
    public bool IsFull => _channel.Reader.Count >= _options.QueueCapacity;

    /// <summary>The settings in effect and the work done so far.</summary>
    public ServingDescription Serving => new(
        _options.BatchSize, _options.MaxBatchDelayMs, _options.QueueCapacity, Volatile.Read(ref _threads), _options.MaxUploadBytes,
        _channel.Reader.Count, Interlocked.Read(ref _batches), Interlocked.Read(ref _images))
    {
        InFlight = _inFlight.Count,
    };

    /// <summary>
    /// Queues an image; on <see cref="Admission.Accepted"/>, <paramref name="answer"/> completes with its predictions,
    /// and the request counts as in flight until the caller disposes <paramref name="inFlight"/> once the answer is sent
    /// (<see cref="StopAsync"/> waits for that). Otherwise <paramref name="inFlight"/> is null.
    /// </summary>
    public Admission TryEnqueue(RgbImage image, int topK, CancellationToken aborted, out Task<IReadOnlyList<Prediction>> answer, out IDisposable? inFlight)
    {
        var request = new ClassificationRequest(image, topK, aborted);
        var admission = TryWrite(request, out inFlight);
        answer = admission == Admission.Accepted ? request.Answer : Task.FromResult<IReadOnlyList<Prediction>>([]);
        return admission;
    }

    /// <summary>
    /// Queues an image to explain; on <see cref="Admission.Accepted"/>, <paramref name="answer"/> completes with its
    /// explanation, and <paramref name="inFlight"/> counts the request until it is disposed, as for <see cref="TryEnqueue"/>.
    /// </summary>
    public Admission TryEnqueueExplanation(RgbImage image, int? classIndex, CamMethod method, CancellationToken aborted, out Task<Explanation> answer, out IDisposable? inFlight)
    {
        var request = new ExplanationRequest(image, classIndex, method, aborted);
        var admission = TryWrite(request, out inFlight);
        answer = request.Answer;
        return admission;
    }

    /// <summary>
    /// Queues a preprocessed batch <c>[count, C, H, W]</c>; on <see cref="Admission.Accepted"/>, <paramref name="answer"/>
    /// completes with its logits <c>[count, classes]</c>, and <paramref name="inFlight"/> counts the request until it is
    /// disposed, as for <see cref="TryEnqueue"/>. Batched with the other requests of its kind in one forward pass.
    /// </summary>
    public Admission TryEnqueueLogits(float[] values, int count, CancellationToken aborted, out Task<float[]> answer, out IDisposable? inFlight)
    {
        var request = new LogitsRequest(values, count, aborted);
        var admission = TryWrite(request, out inFlight);
        answer = request.Answer;
        return admission;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Stopping begins before any hosted service's StopAsync: refuse new work at once, let the queue drain.
        _stoppingRegistration = _lifetime.ApplicationStopping.Register(CloseQueue);
        _worker = new Thread(Work) { Name = "ConvMixer model", IsBackground = true };
        _worker.Start();
        if (_options.WatchWeights && LocalWeights() is { } path)
        {
            _watcher = new WeightsWatcher(path, RequestReload);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Completes once the worker has answered what was queued and released the model, and every answer has been sent:
    /// the host may dispose its services as soon as this returns, and not every server waits for the requests in
    /// flight first (Kestrel does; the in-memory test server does not).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        CloseQueue();
        try
        {
            await _workerDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogWorkerStillRunning(_logger);
            return;
        }

        var answersSent = _inFlight.WhenEmptyAsync();
        if (!answersSent.IsCompleted)
        {
            LogWaitingForAnswers(_logger, _inFlight.Count);
        }

        try
        {
            await answersSent.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogAnswersUnsent(_logger, _inFlight.Count);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CloseQueue();
        _watcher?.Dispose();
        lock (_pendingLock)
        {
            _pending?.Model.Dispose();
            _pending = null;
        }

        _stoppingRegistration.Dispose();
    }

    private Admission TryWrite(ModelRequest request, out IDisposable? inFlight)
    {
        var admission = TryAdmit(request, out inFlight);
        if (admission != Admission.Accepted)
        {
            _metrics.Request(_metricName, admission switch
            {
                Admission.QueueFull => "queue_full",
                Admission.NotReady => "not_ready",
                _ => "shutting_down",
            });
        }

        return admission;
    }

    private Admission TryAdmit(ModelRequest request, out IDisposable? inFlight)
    {
        inFlight = null;
        if (_stopping)
        {
            return Admission.ShuttingDown;
        }

        if (_model is null)
        {
            return Admission.NotReady;
        }

        // Counted before it can be read, so a stop that has seen the worker finish also sees every request it answered.
        var counted = _inFlight.Enter();
        if (!_channel.Writer.TryWrite(request))
        {
            counted.Dispose();
            return _stopping ? Admission.ShuttingDown : Admission.QueueFull;
        }

        inFlight = counted;
        return Admission.Accepted;
    }

    private void CloseQueue()
    {
        _stopping = true;
        _channel.Writer.TryComplete();
    }

    private void Work()
    {
        IClassificationModel model;
        try
        {
            if (_options.Threads is { } threads)
            {
                torch.set_num_threads(threads);
            }

            Volatile.Write(ref _threads, torch.get_num_threads());
            var started = Stopwatch.GetTimestamp();
            var sha256 = Fingerprint();
            model = _loader.Load();
            _metricName = ModelSignature.NameOf(model, _options);
            _version = new WeightsVersion(sha256, DateTimeOffset.UtcNow);
            _model = model;
            LogModelLoaded(_logger, model.Name, model.ClassCount, Stopwatch.GetElapsedTime(started).TotalSeconds, _threads);
        }
        catch (Exception e)
        {
            // Nothing can be served without the model: say why and stop with a failing exit code.
            LogModelFailed(_logger, e.Message, e);
            Environment.ExitCode = 1;
            CloseQueue();
            FailQueued(new InvalidOperationException("The model could not be loaded."));
            _workerDone.TrySetResult();
            _lifetime.StopApplication();
            return;
        }

        try
        {
            RunBatches(ref model);
        }
        finally
        {
            model.Dispose();
            _workerDone.TrySetResult();
        }
    }

    private void RunBatches(ref IClassificationModel model)
    {
        var batch = new List<ModelRequest>(_options.BatchSize);
        var images = new List<RgbImage>(_options.BatchSize);
        var classifications = new List<ClassificationRequest>(_options.BatchSize);
        var tensors = new List<LogitsRequest>(_options.BatchSize);
        // WaitToReadAsync keeps answering true while requests remain after the queue is closed, so it drains.
        while (Wait(_channel.Reader.WaitToReadAsync()))
        {
            // New weights take over here, between batches: every batch runs on one model, so no answer mixes two.
            TakeOverPending(ref model);
            batch.Clear();
            Collect(batch);
            if (batch.Count == 0)
            {
                continue;
            }

            classifications.Clear();
            classifications.AddRange(batch.OfType<ClassificationRequest>());
            if (classifications.Count > 0)
            {
                Classify(model, classifications, images);
            }

            tensors.Clear();
            tensors.AddRange(batch.OfType<LogitsRequest>());
            if (tensors.Count > 0)
            {
                ComputeLogits(model, tensors);
            }

            foreach (var explanation in batch.OfType<ExplanationRequest>())
            {
                Explain(model, explanation);
            }
        }
    }

    private void Classify(IClassificationModel model, List<ClassificationRequest> batch, List<RgbImage> images)
    {
        images.Clear();
        images.AddRange(batch.Select(r => r.Image));
        var started = Started(batch);
        try
        {
            var predictions = model.Classify(images, batch.Max(r => r.TopK));
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(predictions[i]);
            }

            Ran(batch, batch.Count, started);
        }
        catch (Exception e)
        {
            LogBatchFailed(_logger, batch.Count, e.Message, e);
            Failed(batch, e);
        }
    }

    private void TakeOverPending(ref IClassificationModel model)
    {
        (IClassificationModel Model, WeightsVersion Version)? pending;
        lock (_pendingLock)
        {
            (pending, _pending) = (_pending, null);
        }

        if (pending is not { } next)
        {
            return;
        }

        var old = model;
        model = next.Model;
        _version = next.Version;
        _model = next.Model;
        old.Dispose();
        LogModelSwapped(_logger, next.Model.Name, next.Version.Sha256 ?? "?");
    }

    // The weights file (or model folder) when it is local; a hub model is not watched.
    private string? LocalWeights() =>
        ModelReference.ToHubReference(_options.Weights) is null && (File.Exists(_options.Weights) || Directory.Exists(_options.Weights)) ? _options.Weights : null;

    // The first 12 hex digits of the weights file's SHA-256 (a model folder's weights file); null for a hub model.
    private string? Fingerprint()
    {
        if (LocalWeights() is null)
        {
            return null;
        }

        using var stream = File.OpenRead(ModelFolder.WeightsFile(_options.Weights));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream))[..12];
    }

    private void RequestReload()
    {
        Volatile.Write(ref _reloadRequested, 1);
        if (!_stopping && Interlocked.CompareExchange(ref _reloading, 1, 0) == 0)
        {
            _ = Task.Factory.StartNew(ReloadLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    // One load at a time; changes seen meanwhile load again afterwards.
    private void ReloadLoop()
    {
        try
        {
            while (!_stopping && Interlocked.Exchange(ref _reloadRequested, 0) == 1)
            {
                TryReload();
            }
        }
        finally
        {
            Volatile.Write(ref _reloading, 0);
            if (!_stopping && Volatile.Read(ref _reloadRequested) == 1)
            {
                RequestReload();
            }
        }
    }

    // Loads the new weights beside the served model; any failure keeps the served model and says why.
    private void TryReload()
    {
        try
        {
            var sha256 = Fingerprint();
            lock (_pendingLock)
            {
                if (sha256 == (_pending?.Version ?? _version)?.Sha256)
                {
                    return; // the same weights: a touch, or the second event of one rename
                }
            }

            var started = Stopwatch.GetTimestamp();
            var model = _loader.Load();
            var served = _model!;
            var problem = Incompatibility(served, model);
            if (problem is not null)
            {
                model.Dispose();
                LogSwapRefused(_logger, problem);
                return;
            }

            lock (_pendingLock)
            {
                _pending?.Model.Dispose();
                _pending = (model, new WeightsVersion(sha256, DateTimeOffset.UtcNow));
            }

            LogModelReloaded(_logger, model.Name, sha256 ?? "?", Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e)
        {
            LogReloadFailed(_logger, e.Message, e);
        }
    }

    // Requests already prepared for the served model must fit the new one: same input and classes.
    private static string? Incompatibility(IClassificationModel served, IClassificationModel next)
    {
        var (a, b) = (served.Description.Preprocessing, next.Description.Preprocessing);
        if (a.InChannels != b.InChannels || a.InputSize != b.InputSize)
        {
            return $"the new weights take {b.InChannels}×{b.InputSize}×{b.InputSize} input, the served model {a.InChannels}×{a.InputSize}×{a.InputSize}";
        }

        return served.ClassCount == next.ClassCount ? null : $"the new weights have {next.ClassCount} classes, the served model {served.ClassCount}";
    }

    // One forward pass for every preprocessed batch gathered; each request gets its own rows back.
    private void ComputeLogits(IClassificationModel model, List<LogitsRequest> batch)
    {
        var started = Started(batch);
        try
        {
            var count = batch.Sum(r => r.Count);
            var values = batch.Count == 1 ? batch[0].Values : batch.SelectMany(r => r.Values).ToArray();
            var logits = model.Logits(values, count);
            var classes = logits.Length / count;
            var offset = 0;
            foreach (var request in batch)
            {
                request.Complete(logits.AsSpan(offset * classes, request.Count * classes).ToArray());
                offset += request.Count;
            }

            Ran(batch, count, started);
        }
        catch (Exception e)
        {
            LogBatchFailed(_logger, batch.Sum(r => r.Count), e.Message, e);
            Failed(batch, e);
        }
    }

    // The queue time of each request of a batch about to run; the batch's start.
    private long Started<T>(List<T> batch)
        where T : ModelRequest
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var request in batch)
        {
            _metrics.Queued(_metricName, Stopwatch.GetElapsedTime(request.Created, now));
        }

        return now;
    }

    private void Ran<T>(List<T> batch, int images, long started)
        where T : ModelRequest
    {
        _metrics.Batch(_metricName, images, Stopwatch.GetElapsedTime(started));
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _images, images);
        foreach (var _ in batch)
        {
            _metrics.Request(_metricName, "success");
        }
    }

    private void Failed<T>(List<T> batch, Exception error)
        where T : ModelRequest
    {
        foreach (var request in batch)
        {
            request.Fail(error);
            _metrics.Request(_metricName, "failure");
        }
    }

    // A request the model cannot serve (a method its backend cannot compute) is the client's answer, not a failure.
    private void Explain(IClassificationModel model, ExplanationRequest request)
    {
        try
        {
            request.Complete(model.Explain(request.Image, request.ClassIndex, request.Method));
            _metrics.Request(_metricName, "success");
        }
        catch (NotSupportedException e)
        {
            request.Fail(e);
            _metrics.Request(_metricName, "unsupported");
        }
        catch (Exception e)
        {
            LogExplanationFailed(_logger, e.Message, e);
            request.Fail(e);
            _metrics.Request(_metricName, "failure");
        }
    }

    // Takes what is queued up to the batch size, then waits for more until the batch is full or the delay is over.
    private void Collect(List<ModelRequest> batch)
    {
        var deadline = 0L;
        while (batch.Count < _options.BatchSize)
        {
            if (_channel.Reader.TryRead(out var request))
            {
                if (request.IsAbandoned)
                {
                    request.Cancel();
                    _metrics.Request(_metricName, "cancelled");
                    continue;
                }

                batch.Add(request);
                if (deadline == 0)
                {
                    deadline = Stopwatch.GetTimestamp() + (_options.MaxBatchDelayMs * Stopwatch.Frequency / 1000);
                }

                continue;
            }

            var remaining = deadline == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            using var timeout = new CancellationTokenSource(remaining);
            if (!Wait(_channel.Reader.WaitToReadAsync(timeout.Token)))
            {
                return;
            }
        }
    }

    // Blocks the worker thread (it has nothing else to do); false when the channel is closed and empty or the wait timed out.
    private static bool Wait(ValueTask<bool> waiting)
    {
        if (waiting.IsCompletedSuccessfully)
        {
            return waiting.Result;
        }

        var task = waiting.AsTask();
        Task.WaitAny(task); // unlike Wait(), does not throw when the timeout cancels it
        return task.IsCompletedSuccessfully && task.Result;
    }

    private void FailQueued(Exception error)
    {
        while (_channel.Reader.TryRead(out var request))
        {
            request.Fail(error);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} loaded ({Classes} classes) in {Seconds:F1} s; libtorch uses {Threads} threads")]
    private static partial void LogModelLoaded(ILogger logger, string name, int classes, double seconds, int threads);

    [LoggerMessage(Level = LogLevel.Information, Message = "New weights for {Name} loaded (sha256 {Sha256}) in {Seconds:F1} s; they take over at the next batch")]
    private static partial void LogModelReloaded(ILogger logger, string name, string sha256, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Now serving {Name} (sha256 {Sha256})")]
    private static partial void LogModelSwapped(ILogger logger, string name, string sha256);

    [LoggerMessage(Level = LogLevel.Error, Message = "The changed weights could not be loaded; the served model stays: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The changed weights were not swapped in; the served model stays: {Reason}")]
    private static partial void LogSwapRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The model could not be loaded: {Reason}")]
    private static partial void LogModelFailed(ILogger logger, string reason, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} images failed: {Reason}")]
    private static partial void LogBatchFailed(ILogger logger, int count, string reason, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "An explanation failed: {Reason}")]
    private static partial void LogExplanationFailed(ILogger logger, string reason, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model worker had not finished when the shutdown timeout ran out")]
    private static partial void LogWorkerStillRunning(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: waiting for {Count} answers to be sent")]
    private static partial void LogWaitingForAnswers(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} answers were still being sent when the shutdown timeout ran out")]
    private static partial void LogAnswersUnsent(ILogger logger, int count);
}
