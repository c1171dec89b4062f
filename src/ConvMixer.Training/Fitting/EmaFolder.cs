namespace ConvMixerNet.Training;

/// <summary>
/// The weight EMA of a run, as timm keeps <c>state_dict_ema</c> next to the model's: evaluated on the validation set
/// after every epoch and written as its own model folder <c>ema/</c> in the run's output (config.json with the EMA's
/// validation result, the epoch and the run's hyperparameters; model.safetensors), written after the checkpoint so
/// it is never newer than it. A resume reloads it when its epoch is the checkpoint's.
/// </summary>
internal static class EmaFolder
{
    public const string FolderName = ModelEma.RunFolderName;
    private const string EpochKey = "epoch";

    public static void Write(ModelEma ema, ConvMixer model, ImageDataset? validation, DataConfig data, TrainerOptions options, int completedEpochs, CancellationToken cancellationToken)
    {
        var average = (ConvMixer)ema.Model;
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [EpochKey] = completedEpochs };
        if (validation is not null)
        {
            var result = Evaluator.Evaluate(average, validation, data, options.BatchSize, cancellationToken: cancellationToken);
            metrics["val_accuracy"] = result.Accuracy;
            metrics["val_loss"] = result.Loss;
        }

        average.Pretrained = (model.Pretrained ?? new PretrainedConfig()) with
        {
            Description = $"The exponential moving average (decay {ema.Decay.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}) of the weights after {completedEpochs} epoch(s).",
            Metrics = metrics,
        };
        if (options.OutputDirectory is { } directory)
        {
            ModelFolder.Save(average, Path.Combine(directory, FolderName));
        }
    }

    /// <summary>Loads the EMA saved with the checkpoint of <paramref name="completedEpochs"/> epochs; without one (or an older one), the EMA restarts from the model's weights.</summary>
    public static void Restore(ModelEma ema, ConvMixer model, string runDirectory, int completedEpochs)
    {
        var folder = Path.Combine(runDirectory, FolderName);
        if (Directory.Exists(folder))
        {
            using var saved = ConvMixer.FromCheckpoint(folder);
            if (saved.Pretrained?.Metrics is { } metrics && metrics.TryGetValue(EpochKey, out var epoch) && (int)epoch == completedEpochs && saved.Config == model.Config)
            {
                ema.Set(saved);
                return;
            }
        }

        ema.Set(model);
    }
}
