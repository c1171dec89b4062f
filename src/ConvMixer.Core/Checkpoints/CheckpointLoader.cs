using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// Copies a checkpoint into a model, all or nothing: every key, shape, dtype and value is checked, and every tensor is
/// converted to the model's dtype and device, before the first parameter is written.
/// </summary>
internal static class CheckpointLoader
{
    private const string NumBatchesTracked = ".num_batches_tracked";
    private const string RunningVar = ".running_var";

    /// <remarks>
    /// Floating-point values convert to the model's dtype (float16/bfloat16/float64 to float32 and back); integer values
    /// (BatchNorm counters) convert to whatever the model holds; floating-point values never go into integer tensors.
    /// </remarks>
    public static CheckpointLoadResult Load(ConvMixer model, Checkpoint checkpoint, bool strict, bool allowNonFinite, bool skipClassifier)
    {
        var target = model.state_dict();
        var source = checkpoint.Tensors;

        // A classifier being replaced is not compared at all: the checkpoint's may be absent, or the model may have none.
        var skipped = skipClassifier ? source.Keys.Where(IsClassifier).ToList() : [];
        var missing = target.Keys.Where(k => !source.ContainsKey(k) && !(skipClassifier && IsClassifier(k))).ToList();
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k) && !(skipClassifier && IsClassifier(k))).ToList();
        var mismatches = new List<string>();
        var toLoad = new List<string>();
        string? hint = null;

        foreach (var key in target.Keys.Where(k => source.ContainsKey(k) && !(skipClassifier && IsClassifier(k))))
        {
            var (expected, found) = (target[key], source[key]);
            var isClassifier = IsClassifier(key);
            if (!expected.shape.SequenceEqual(found.shape))
            {
                if (isClassifier && !strict)
                {
                    skipped.Add(key);
                    continue;
                }

                mismatches.Add($"{key}: expected {CheckpointArchitecture.Format(expected.shape)} (model), found {CheckpointArchitecture.Format(found.shape)} (checkpoint)");
                if (isClassifier && found.shape.Length == expected.shape.Length && found.shape.Length > 0)
                {
                    hint = $"The checkpoint's classifier has {found.shape[0]} classes and the model's {model.NumClasses}: to fine-tune, "
                        + "load with Strict = false, which loads everything but the classifier.";
                }
            }
            else if (!CanHold(key, expected.dtype, found.dtype))
            {
                mismatches.Add($"{key}: expected dtype {expected.dtype} (model), found {found.dtype} (checkpoint)");
            }
            else
            {
                toLoad.Add(key);
            }
        }

        // Same shapes, other nonlinearity: the outputs would be silently wrong, so a strict load refuses it.
        var wrongActivation = false;
        if (strict && checkpoint.FileStored?.Activation is { } saved && saved != model.Config.Activation)
        {
            wrongActivation = true;
            hint = (hint is null ? string.Empty : hint + Environment.NewLine)
                + $"The checkpoint says its activation is {saved}, but the model uses {model.Config.Activation}: "
                + $"build the model with activation: Activation.{saved}, or use ConvMixer.FromCheckpoint, which reads it.";
        }

        // As in PyTorch, BatchNorm counters absent from old checkpoints are tolerated (they only matter for momentum=None).
        var missingThatMatter = missing.Where(k => !k.EndsWith(NumBatchesTracked, StringComparison.Ordinal)).ToList();
        if (wrongActivation || mismatches.Count > 0 || (strict && (missingThatMatter.Count > 0 || unexpected.Count > 0)))
        {
            throw new CheckpointMismatchException(checkpoint.Path, strict ? missingThatMatter : [], strict ? unexpected : [], mismatches, hint);
        }

        if (!allowNonFinite)
        {
            RejectNonFinite(checkpoint.Path, toLoad.Select(k => (k, source[k])));
        }

        RejectNegativeVariances(checkpoint.Path, toLoad.Where(k => k.EndsWith(RunningVar, StringComparison.Ordinal)).Select(k => (k, source[k])));

        CopyAll(target, source, toLoad);
        return new CheckpointLoadResult(checkpoint.Path, checkpoint.Format, toLoad, missing, unexpected, skipped);
    }

    private static bool IsClassifier(string key) => key.StartsWith("head.", StringComparison.Ordinal);

    // Weights are real numbers: integer, bool or complex values in a floating-point tensor mean the file is not what it
    // claims (a cast would hide that). BatchNorm counters are integers (the model may hold them in its own dtype).
    private static bool CanHold(string key, ScalarType model, ScalarType checkpoint) =>
        key.EndsWith(NumBatchesTracked, StringComparison.Ordinal)
            ? IsInteger(checkpoint) || (IsReal(model) && IsReal(checkpoint))
            : IsReal(model) ? IsReal(checkpoint) : IsInteger(model) && IsInteger(checkpoint);

    private static bool IsReal(ScalarType type) => type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    private static bool IsInteger(ScalarType type) => type is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64;

    // A variance below zero makes BatchNorm take the square root of a negative number: every output NaN.
    private static void RejectNegativeVariances(string path, IEnumerable<(string Key, Tensor Tensor)> variances)
    {
        using var scope = NewDisposeScope();
        using var zero = 0.ToScalar(); // explicit, so it stays alive during the native calls that read it
        var bad = variances
            .Where(v => v.Tensor.lt(zero).any().item<bool>())
            .Select(v => $"{v.Key} ({v.Tensor.lt(zero).sum().item<long>()} of {v.Tensor.numel()} values)")
            .ToList();
        if (bad.Count > 0)
        {
            throw new InvalidCheckpointException(path,
                $"it holds negative BatchNorm variances in {string.Join(", ", bad)}; a variance cannot be negative, so the file is corrupt or was edited.");
        }
    }

    private static void RejectNonFinite(string path, IEnumerable<(string Key, Tensor Tensor)> tensors)
    {
        var bad = new List<string>();
        using var scope = NewDisposeScope();
        foreach (var (key, tensor) in tensors)
        {
            if (tensor.is_floating_point() && !isfinite(tensor).all().item<bool>())
            {
                bad.Add($"{key} ({isfinite(tensor).logical_not().sum().item<long>()} of {tensor.numel()} values)");
            }
        }

        if (bad.Count > 0)
        {
            throw new InvalidCheckpointException(path,
                $"it holds NaN or infinite values in {string.Join(", ", bad)}. They would make every output NaN; "
                + "set AllowNonFiniteValues = true to load them anyway.");
        }
    }

    private static void CopyAll(Dictionary<string, Tensor> target, Dictionary<string, Tensor> source, List<string> keys)
    {
        // Convert everything first (the step that can fail, e.g. out of device memory), then copy.
        var converted = new List<(Tensor Target, Tensor Value)>(keys.Count);
        using var scope = NewDisposeScope();
        foreach (var key in keys)
        {
            var (into, from) = (target[key], source[key]);
            converted.Add((into, from.to(into.dtype, into.device)));
        }

        using var noGrad = no_grad();
        foreach (var (into, value) in converted)
        {
            into.copy_(value);
        }
    }
}
