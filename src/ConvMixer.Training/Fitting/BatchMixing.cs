namespace ConvMixerNet.Training;

/// <summary>
/// The trainer's per-batch steps after loading, in timm's order: random erasing of each normalised image, then
/// mixup/CutMix of the batch. Their random draws are seeded by (seed, epoch, batch), like the loader's, so a resumed run
/// draws what an uninterrupted one would.
/// </summary>
internal static class BatchMixing
{
    /// <summary>Erases and mixes <paramref name="batch"/> in place; returns the soft targets when mixing is on, else null.</summary>
    public static float[]? Apply(HostBatch batch, TrainerOptions options, int classes, int epoch, int batchIndex)
    {
        var erasing = options.RandomErasing is { Probability: > 0 } e ? e : null;
        var mixup = options.Mixup is { IsEnabled: true } m ? m with { LabelSmoothing = options.LabelSmoothing } : null;
        if (erasing is null && mixup is null)
        {
            return null;
        }

        // Another stream than the loader's augmentation, which is seeded by Mix(seed, epoch, batch).
        var random = new Random(SeedMixer.Mix(SeedMixer.Mix(options.Seed, epoch, batchIndex), 0x4D49584C));
        if (erasing is not null)
        {
            var size = batch.Channels * batch.Height * batch.Width;
            for (var i = 0; i < batch.Count; i++)
            {
                erasing.Apply(batch.Pixels.AsSpan(i * size, size), batch.Channels, batch.Height, batch.Width, random);
            }
        }

        return mixup?.Apply(batch, classes, random);
    }
}
