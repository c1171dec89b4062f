namespace ConvMixerNet.Core;

/// <summary>
/// A checkpoint does not fit the model: lists every missing key, unexpected key and shape mismatch at once, with the file
/// name. The model is left exactly as it was.
/// </summary>
public sealed class CheckpointMismatchException : CheckpointException
{
    /// <summary>Creates the exception; the message is built from the lists.</summary>
    public CheckpointMismatchException(
        string path,
        IReadOnlyList<string> missingKeys,
        IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<string> shapeMismatches,
        string? hint = null)
        : base(path, BuildMessage(path, missingKeys, unexpectedKeys, shapeMismatches, hint))
    {
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Model keys the checkpoint lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Checkpoint keys the model does not have.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>One line per key whose shape or dtype differs: "key: expected [..] (model), found [..] (checkpoint)".</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string BuildMessage(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapes, string? hint)
    {
        var text = new System.Text.StringBuilder($"The checkpoint '{path}' does not fit the model:");
        Append(text, "missing keys", missing);
        Append(text, "unexpected keys", unexpected);
        Append(text, "shape or dtype mismatches", shapes);
        if (hint is not null)
        {
            text.Append(Environment.NewLine).Append(hint);
        }

        return text.ToString();
    }

    private static void Append(System.Text.StringBuilder text, string title, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        text.Append(Environment.NewLine).Append($"  {items.Count} {title}:");
        foreach (var item in items)
        {
            text.Append(Environment.NewLine).Append("    ").Append(item);
        }
    }
}
