namespace ConvMixerNet.Training;

/// <summary>
/// timm's <c>Mixup</c> in its default <c>batch</c> mode: per batch, with probability <see cref="Probability"/>, either
/// mixup (every image blended with the batch reversed, weight λ ~ Beta(<see cref="MixupAlpha"/>)) or CutMix (a box of
/// the reversed batch pasted in, λ ~ Beta(<see cref="CutmixAlpha"/>), corrected to the box's clipped area); CutMix is
/// chosen with probability <see cref="SwitchProbability"/> when both are on. The targets are timm's
/// <c>mixup_target</c>: label-smoothed one-hot vectors mixed with weight λ.
/// </summary>
/// <param name="MixupAlpha">timm's <c>--mixup</c> (0: off).</param>
/// <param name="CutmixAlpha">timm's <c>--cutmix</c> (0: off).</param>
/// <param name="Probability">timm's <c>--mixup-prob</c>.</param>
/// <param name="SwitchProbability">timm's <c>--mixup-switch-prob</c>.</param>
/// <param name="LabelSmoothing">timm's <c>--smoothing</c>, applied to the mixed targets.</param>
public sealed record Mixup(double MixupAlpha, double CutmixAlpha, double Probability = 1.0, double SwitchProbability = 0.5, double LabelSmoothing = 0.1)
{
    /// <summary>True when mixup or CutMix is on.</summary>
    public bool IsEnabled => (MixupAlpha > 0 || CutmixAlpha > 0) && Probability > 0;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that makes no sense.</summary>
    public void Validate()
    {
        if (!(MixupAlpha >= 0 && double.IsFinite(MixupAlpha)) || !(CutmixAlpha >= 0 && double.IsFinite(CutmixAlpha)))
        {
            throw new ArgumentException($"Mixup and CutMix alphas must be non-negative numbers, but they are {MixupAlpha} and {CutmixAlpha}.");
        }

        if (!(Probability >= 0 && Probability <= 1) || !(SwitchProbability >= 0 && SwitchProbability <= 1) || !(LabelSmoothing >= 0 && LabelSmoothing < 1))
        {
            throw new ArgumentException($"Mixup probabilities must be in [0, 1] and label smoothing in [0, 1); got {this}.");
        }
    }

    /// <summary>timm's <c>_params_per_batch</c>: λ (1 means no mixing) and whether CutMix is used.</summary>
    public (double Lambda, bool UseCutmix) SampleParameters(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!IsEnabled || random.NextDouble() >= Probability)
        {
            return (1.0, false);
        }

        var useCutmix = MixupAlpha > 0 && CutmixAlpha > 0 ? random.NextDouble() < SwitchProbability : CutmixAlpha > 0;
        return (RandomDraws.Beta(random, useCutmix ? CutmixAlpha : MixupAlpha), useCutmix);
    }

    /// <summary>
    /// timm's <c>rand_bbox</c> and λ correction for a box centred at (<paramref name="centreY"/>, <paramref name="centreX"/>):
    /// sides <c>int(side·√(1−λ))</c>, clipped to the image; λ becomes 1 − box area / image area.
    /// </summary>
    public static (int Top, int Bottom, int Left, int Right, double Lambda) CutmixBox(int height, int width, double lambda, int centreY, int centreX)
    {
        var ratio = Math.Sqrt(1 - lambda);
        var (cutH, cutW) = ((int)(height * ratio), (int)(width * ratio));
        var top = Math.Clamp(centreY - (cutH / 2), 0, height);
        var bottom = Math.Clamp(centreY + (cutH / 2), 0, height);
        var left = Math.Clamp(centreX - (cutW / 2), 0, width);
        var right = Math.Clamp(centreX + (cutW / 2), 0, width);
        return (top, bottom, left, right, 1.0 - ((bottom - top) * (right - left) / (double)(height * width)));
    }

    /// <summary>
    /// Mixes <paramref name="batch"/>'s pixels in place with random parameters from <paramref name="random"/> and
    /// returns the soft targets, <c>[Count, classes]</c> row by row.
    /// </summary>
    public float[] Apply(HostBatch batch, int classes, Random random)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var (lambda, useCutmix) = SampleParameters(random);
        return Apply(batch, classes, lambda, useCutmix, useCutmix ? random.Next(batch.Height) : 0, useCutmix ? random.Next(batch.Width) : 0);
    }

    /// <summary>
    /// timm's <c>_mix_batch</c> and <c>mixup_target</c> with the random choices given: mixes the pixels of
    /// <paramref name="batch"/> in place (image i with image N−1−i, in float32 as torch computes it) and returns the targets.
    /// </summary>
    public float[] Apply(HostBatch batch, int classes, double lambda, bool useCutmix, int centreY, int centreX)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var (n, size) = (batch.Count, batch.Channels * batch.Height * batch.Width);
        var pixels = batch.Pixels;
        if (lambda != 1.0)
        {
            var original = (float[])pixels.Clone();
            if (useCutmix)
            {
                var (top, bottom, left, right, corrected) = CutmixBox(batch.Height, batch.Width, lambda, centreY, centreX);
                for (var i = 0; i < n; i++)
                {
                    var j = n - 1 - i;
                    for (var c = 0; c < batch.Channels; c++)
                    {
                        for (var y = top; y < bottom; y++)
                        {
                            var offset = (((c * batch.Height) + y) * batch.Width) + left;
                            original.AsSpan((j * size) + offset, right - left).CopyTo(pixels.AsSpan((i * size) + offset));
                        }
                    }
                }

                lambda = corrected;
            }
            else
            {
                // torch casts the Python scalars to float32: x·λ + flip(x)·(1 − λ).
                var (keep, take) = ((float)lambda, (float)(1.0 - lambda));
                for (var i = 0; i < n; i++)
                {
                    var (own, other) = (i * size, (n - 1 - i) * size);
                    for (var k = 0; k < size; k++)
                    {
                        pixels[own + k] = (original[own + k] * keep) + (original[other + k] * take);
                    }
                }
            }
        }

        return Targets(batch.Labels, classes, lambda, LabelSmoothing);
    }

    /// <summary>timm's <c>mixup_target</c>: smoothed one-hot of each label times λ plus that of the reversed batch times 1 − λ, in float32.</summary>
    public static float[] Targets(IReadOnlyList<long> labels, int classes, double lambda, double smoothing)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var off = smoothing / classes;
        var (offValue, onValue) = ((float)off, (float)(1.0 - smoothing + off));
        var (keep, take) = ((float)lambda, (float)(1.0 - lambda));
        var n = labels.Count;
        var targets = new float[n * classes];
        for (var i = 0; i < n; i++)
        {
            var (own, other) = (labels[i], labels[n - 1 - i]);
            for (var k = 0; k < classes; k++)
            {
                var y1 = k == own ? onValue : offValue;
                var y2 = k == other ? onValue : offValue;
                targets[(i * classes) + k] = (y1 * keep) + (y2 * take);
            }
        }

        return targets;
    }
}
