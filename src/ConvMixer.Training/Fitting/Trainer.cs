using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>
/// Trains a <see cref="ConvMixer"/> classifier with AdamW, a per-step learning-rate schedule, label smoothing, optional
/// gradient clipping and accumulation; evaluates after every epoch and writes a checkpoint and <c>metrics.csv</c>.
/// </summary>
/// <remarks>
/// A run is reproducible on the CPU: with the same <see cref="TrainerOptions.Seed"/>, initial weights and data, two
/// runs give the same weights, and a run resumed from a checkpoint (<see cref="Resume"/>) continues exactly as if it
/// had not stopped. Every training step runs in its own dispose scope, so no tensors accumulate.
/// </remarks>
public sealed class Trainer : IDisposable
{
    private readonly ConvMixer _model;
    private readonly AdamW _optimizer;
    private readonly ModelEma? _ema;
    private readonly List<EpochMetrics> _history = [];
    private int _completedEpochs;
    private long _globalStep;
    private int[]? _resumeOrder;
    private IReadOnlyList<string>? _resumeClassNames;
    private bool _resumed;

    /// <summary>Creates a trainer for <paramref name="model"/>; the model's parameters are updated in place.</summary>
    public Trainer(ConvMixer model, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (model.NumClasses == 0)
        {
            throw new ArgumentException("The model has no classifier (NumClasses = 0): call ResetClassifier(classes) first.", nameof(model));
        }

        _model = model;
        Options = options;
        _optimizer = new AdamW(model.parameters(), options.LearningRate, options.WeightDecay);
        _ema = options.ModelEmaDecay is { } decay ? ModelEma.For(model, decay, options.ModelEmaWarmup) : null;
    }

    /// <summary>The options of the run.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Epochs finished so far (including those before a resume).</summary>
    public int CompletedEpochs => _completedEpochs;

    /// <summary>Optimizer steps taken so far.</summary>
    public long GlobalStep => _globalStep;

    /// <summary>Metrics of the finished epochs.</summary>
    public IReadOnlyList<EpochMetrics> History => _history;

    /// <summary>Path of the checkpoint in <see cref="TrainerOptions.OutputDirectory"/>, or null.</summary>
    public string? CheckpointPath => Options.OutputDirectory is { } dir ? Path.Combine(dir, TrainingCheckpoint.FileName) : null;

    /// <summary>
    /// Loads a checkpoint written by a run with the same batch size, accumulation and seed, so that the next
    /// <see cref="Fit"/> continues after its last finished epoch with the same weights, optimizer state, schedule
    /// position, random state and data order.
    /// </summary>
    public CheckpointState Resume(string checkpointPath)
    {
        var saved = TrainingCheckpoint.ReadState(checkpointPath);
        if (ResumeCompatibility.Conflicts(Options, _model.Config, saved) is [_, ..] conflicts)
        {
            var labels = conflicts.Select(c => ResumeCompatibility.Rules.First(r => r.Option == c.Option).Label + " " + c.Stored);
            throw new ArgumentException(
                $"Checkpoint '{checkpointPath}' was written with {string.Join(", ", labels)}; this run has {string.Join(", ", conflicts.Select(c => c.Requested))}. Resume with the same values.", nameof(checkpointPath));
        }

        var state = TrainingCheckpoint.Restore(checkpointPath, _model, _optimizer);
        _completedEpochs = state.CompletedEpochs;
        _globalStep = state.GlobalStep;
        _history.Clear();
        _history.AddRange(state.History);
        _resumeOrder = state.NextEpochOrder;
        _resumeClassNames = state.ClassNames;
        using (var random = tensor(state.RandomState, ScalarType.Byte))
        {
            torch.random.set_rng_state(random);
        }

        if (_ema is not null)
        {
            EmaFolder.Restore(_ema, _model, Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!, _completedEpochs);
        }

        _resumed = true;
        return state;
    }

    /// <summary>
    /// Trains until <see cref="TrainerOptions.Epochs"/> epochs are finished, evaluating on <paramref name="validation"/>
    /// (if given) and checkpointing after every epoch.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; the last finished epoch's checkpoint stays valid.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the weights became NaN or infinite; the last finished epoch's outputs stay as they were.</exception>
    public TrainingResult Fit(
        ImageDataset train,
        ImageDataset? validation = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (DataProblems(train, validation) is [var problem, ..])
        {
            throw new ArgumentException(problem.Message, problem.Property);
        }

        var data = Options.Data ?? DatasetStatistics.Unnormalized(train);
        // A streaming image folder brings its own loader (decoding and timm's transforms on workers); others are held in memory.
        ITrainingBatchLoader loader = train is StreamingImageDataset streaming
            ? streaming.CreateLoader(Options.BatchSize, Options.Seed)
            : new BatchLoader(train, Options.BatchSize, data, Options.Augmentation, Options.Seed, Options.PrefetchBatches);
        var stepsPerEpoch = (loader.BatchesPerEpoch + Options.AccumulationSteps - 1) / Options.AccumulationSteps;
        var schedule = Options.CreateSchedule(stepsPerEpoch);
        if (!_resumed && _completedEpochs == 0)
        {
            torch.random.manual_seed(Options.Seed);
        }

        var device = _model.PatchEmbedding.weight!.device;
        var callerLayout = _model.ChannelsLast;
        _model.ChannelsLast = Options.ChannelsLast;
        var runClock = Stopwatch.StartNew();
        var batchesThisRun = 0L;
        EvaluationResult? evaluation = null;
        try
        {
            while (_completedEpochs < Options.Epochs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var epoch = _completedEpochs; // 0-based
                var order = _resumeOrder is { Length: > 0 } resumed ? resumed : loader.ShuffledOrder(epoch);
                _resumeOrder = null;

                var epochClock = Stopwatch.StartNew();
                var totals = new RunningTotals();
                var batchIndex = 0;
                var learningRate = schedule.LearningRateAt(Math.Min(_globalStep, schedule.TotalSteps - 1));
                _model.train();
                SetBodyFrozen(epoch < Options.FreezeBodyEpochs); // after train(), which would put frozen BatchNorm layers back in training mode
                using (NewDisposeScope())
                {
                    // zero_() hands back tensor wrappers; the scope releases them.
                    _optimizer.zero_grad();
                }

                foreach (var batch in loader.Batches(order, epoch, cancellationToken))
                {
                    var boundary = (batchIndex + 1) % Options.AccumulationSteps == 0 || batchIndex + 1 == loader.BatchesPerEpoch;
                    if (boundary)
                    {
                        learningRate = schedule.LearningRateAt(Math.Min(_globalStep, schedule.TotalSteps - 1));
                    }

                    var softTargets = BatchMixing.Apply(batch, Options, train.ClassNames.Count, epoch, batchIndex);
                    TrainStep(batch, softTargets, device, boundary, learningRate, totals, epoch + 1, batchIndex + 1);
                    if (boundary)
                    {
                        _globalStep++;
                        _ema?.Update(_model, _globalStep);
                    }

                    batchIndex++;
                    batchesThisRun++;
                    var remainingBatches = ((long)(Options.Epochs - epoch - 1) * loader.BatchesPerEpoch) + (loader.BatchesPerEpoch - batchIndex);
                    var secondsPerBatch = runClock.Elapsed.TotalSeconds / batchesThisRun;
                    progress?.Report(new TrainingProgress(
                        TrainingPhase.Training, epoch + 1, Options.Epochs, batchIndex, loader.BatchesPerEpoch,
                        totals.MeanLoss, totals.Accuracy, learningRate, totals.Images / epochClock.Elapsed.TotalSeconds,
                        TimeSpan.FromSeconds(secondsPerBatch * remainingBatches)));
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var trainSeconds = epochClock.Elapsed.TotalSeconds;
                evaluation = validation is null ? null : EvaluateEpoch(validation, data, epoch, progress, cancellationToken);
                var metrics = new EpochMetrics(
                    epoch + 1, totals.MeanLoss, totals.Accuracy, evaluation?.Loss, evaluation?.Accuracy,
                    learningRate, trainSeconds, totals.Images / trainSeconds);
                if (!WeightsAreFinite())
                {
                    throw new TrainingDivergedException("the weights are no longer finite", epoch + 1, loader.BatchesPerEpoch, learningRate);
                }

                _history.Add(metrics);
                _completedEpochs++;
                _model.Pretrained = RunFolder.Describe(data, train, metrics, _completedEpochs, Options);
                WriteOutputs(train, loader);
                if (_ema is not null)
                {
                    EmaFolder.Write(_ema, _model, validation, data, Options, _completedEpochs, cancellationToken);
                }

                progress?.Report(new TrainingProgress(
                    TrainingPhase.EpochCompleted, epoch + 1, Options.Epochs, loader.BatchesPerEpoch, loader.BatchesPerEpoch,
                    metrics.TrainLoss, metrics.TrainAccuracy, learningRate, metrics.ImagesPerSecond,
                    TimeSpan.FromSeconds(runClock.Elapsed.TotalSeconds / Math.Max(1, batchesThisRun) * (Options.Epochs - epoch - 1) * loader.BatchesPerEpoch),
                    metrics));
            }
        }
        finally
        {
            // Also after a cancellation or failure: the caller gets a fully trainable model back, in its own layout.
            SetBodyFrozen(false);
            _model.ChannelsLast = callerLayout;
        }

        return new TrainingResult(_history.ToArray(), evaluation, Options.OutputDirectory is null ? null : CheckpointPath);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        _ema?.Dispose();
    }

    private void TrainStep(HostBatch batch, float[]? softTargets, Device device, bool stepOptimizer, double learningRate, RunningTotals totals, int epoch, int batchNumber)
    {
        // Everything this step creates, including the autograd graph, is released when the scope ends.
        using var scope = NewDisposeScope();
        var (images, labels) = batch.ToTensors(device);
        var logits = _model.forward(images);
        var loss = softTargets is null
            ? TrainingLoss.Compute(logits, labels, Options.LabelSmoothing)
            : SoftTargetLoss.Compute(logits, tensor(softTargets, [batch.Count, softTargets.Length / batch.Count]).to(device));
        var lossValue = loss.item<float>();
        if (!float.IsFinite(lossValue))
        {
            // Stepping on would only spread NaN into every weight; the epoch's outputs are never written.
            throw new TrainingDivergedException($"the loss became {lossValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}", epoch, batchNumber, learningRate);
        }

        if (Options.AccumulationSteps == 1)
        {
            loss.backward();
        }
        else
        {
            // An explicit Scalar, disposed after the call, stays alive while native code reads it (see AdamW).
            using var groupSize = Options.AccumulationSteps.ToScalar();
            loss.div(groupSize).backward();
        }

        totals.Add(lossValue, logits.argmax(1).eq(labels).sum().item<long>(), batch.Count);

        if (stepOptimizer)
        {
            if (Options.GradientClipNorm is { } maxNorm)
            {
                nn.utils.clip_grad_norm_(_model.parameters().Where(p => p.requires_grad), maxNorm);
            }

            foreach (var group in _optimizer.ParamGroups)
            {
                group.LearningRate = learningRate;
            }

            _optimizer.step();
            _optimizer.zero_grad();
        }
    }

    private EvaluationResult EvaluateEpoch(ImageDataset validation, DataConfig data, int epoch, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var batchProgress = progress is null ? null : new InlineProgress<(int Done, int Total)>(p =>
            progress.Report(new TrainingProgress(
                TrainingPhase.Evaluating, epoch + 1, Options.Epochs, p.Done, p.Total, double.NaN, double.NaN,
                _optimizer.ParamGroups.First().LearningRate, Math.Min(validation.Count, p.Done * Options.BatchSize) / clock.Elapsed.TotalSeconds, TimeSpan.Zero)));
        // 18 passes per image is worth it for the result, not for the epochs before the last that only track progress.
        var views = Options.EvaluationAugmentation == TestTimeAugmentation.HorizontalFlipAndShifts && epoch + 1 < Options.Epochs
            ? TestTimeAugmentation.HorizontalFlip
            : Options.EvaluationAugmentation;
        return Evaluator.Evaluate(_model, validation, data, Options.BatchSize, batchProgress, cancellationToken, views);
    }

    private void WriteOutputs(ImageDataset train, ITrainingBatchLoader loader)
    {
        if (Options.OutputDirectory is not { } directory)
        {
            return;
        }

        using var random = torch.random.get_rng_state();
        var state = new CheckpointState
        {
            ModelConfig = _model.Config,
            ClassNames = train.ClassNames.ToArray(),
            Options = Options,
            CompletedEpochs = _completedEpochs,
            GlobalStep = _globalStep,
            History = _history.ToArray(),
            NextEpochOrder = loader.ShuffledOrder(_completedEpochs),
            RandomState = random.data<byte>().ToArray(),
        };
        RunFolder.Write(directory, state, _model, _optimizer, _history);
    }

    private bool WeightsAreFinite()
    {
        using var scope = NewDisposeScope();
        return _model.parameters().All(p => isfinite(p).all().item<bool>());
    }

    // Frozen: the body's parameters get no gradients and its BatchNorm layers run in eval mode, so they normalise with
    // and keep their running statistics (timm's freeze() turns them into FrozenBatchNorm2d for the same reason).
    // Unfrozen: the BatchNorm layers follow the model's mode again. The classifier is a Linear layer, never frozen.
    private void SetBodyFrozen(bool frozen)
    {
        var headParameters = _model.Head.parameters().Select(p => p.Handle).ToHashSet();
        foreach (var parameter in _model.parameters())
        {
            parameter.requires_grad = frozen ? headParameters.Contains(parameter.Handle) : true;
        }

        foreach (var norm in _model.modules().OfType<BatchNorm>())
        {
            norm.train(!frozen && _model.training);
        }
    }

    /// <summary>
    /// Why <see cref="Fit"/> would refuse these data sets (each problem names the set: <c>train</c> or
    /// <c>validation</c>): an empty set, other channels, classes or sizes than the model's, or other classes or image
    /// count than the resumed checkpoint's. Empty when they fit.
    /// </summary>
    public IReadOnlyList<OptionProblem> DataProblems(ImageDataset train, ImageDataset? validation)
    {
        ArgumentNullException.ThrowIfNull(train);
        var problems = new List<OptionProblem>();
        foreach (var (dataset, name) in new[] { (train, nameof(train)), (validation, nameof(validation)) })
        {
            if (dataset is not null)
            {
                problems.AddRange(Problems(dataset).Select(message => new OptionProblem(name, message)));
            }
        }

        if (_resumeClassNames is { } savedClasses && !savedClasses.SequenceEqual(train.ClassNames))
        {
            problems.Add(new OptionProblem(nameof(train),
                $"The checkpoint was trained on the classes {string.Join(", ", savedClasses)}, but this training set has {string.Join(", ", train.ClassNames)}: resume with the same data."));
        }

        if (_resumeOrder is { Length: > 0 } saved && saved.Length != train.Count)
        {
            problems.Add(new OptionProblem(nameof(train), $"The checkpoint's data order covers {saved.Length} training images, but this training set has {train.Count}: resume with the same data."));
        }

        var data = Options.Data ?? DatasetStatistics.Unnormalized(train);
        if (data.InChannels != train.Channels)
        {
            problems.Add(new OptionProblem(nameof(train), $"TrainerOptions.Data describes {data.InChannels}-channel images, but the training set has {train.Channels} channel(s)."));
        }

        return problems;
    }

    private IEnumerable<string> Problems(ImageDataset dataset)
    {
        if (dataset.Count == 0)
        {
            yield return "The data set is empty.";
            yield break;
        }

        if (dataset.Channels != _model.Config.InChannels)
        {
            yield return $"The data set has {dataset.Channels}-channel images, but the model expects {_model.Config.InChannels} channels.";
        }

        if (dataset.ClassCount != _model.NumClasses)
        {
            yield return $"The data set has {dataset.ClassCount} classes, but the model's classifier has {_model.NumClasses} outputs: call ResetClassifier({dataset.ClassCount}).";
        }

        if (dataset.Height < _model.Config.PatchSize || dataset.Width < _model.Config.PatchSize)
        {
            yield return $"The images ({dataset.Height}x{dataset.Width}) are smaller than the patch size {_model.Config.PatchSize}.";
        }
    }

    /// <summary>Sums of the current phase, kept as doubles so long epochs do not lose precision.</summary>
    private sealed class RunningTotals
    {
        private double _lossSum;
        private long _correct;

        public long Images { get; private set; }

        public double MeanLoss => Images == 0 ? double.NaN : _lossSum / Images;

        public double Accuracy => Images == 0 ? 0 : _correct / (double)Images;

        public void Add(double meanLoss, long correct, int count)
        {
            _lossSum += meanLoss * count;
            _correct += correct;
            Images += count;
        }
    }
}
