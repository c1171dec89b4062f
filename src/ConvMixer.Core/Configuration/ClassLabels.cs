using System.Collections;

namespace ConvMixerNet.Core;

/// <summary>The names of a model's classes, by class index.</summary>
public sealed class ClassLabels : IReadOnlyList<string>
{
    /// <summary>Largest label file read (16 MiB: a million names of 16 characters).</summary>
    public const long MaxFileBytes = 16 << 20;

    private static readonly Lazy<ClassLabels> LazyImageNet = new(LoadImageNet);
    private readonly string[] _names;

    /// <summary>Labels from a sequence of names, in class-index order.</summary>
    /// <exception cref="ArgumentException">The sequence is empty or holds a null or blank name.</exception>
    public ClassLabels(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        _names = names.ToArray();
        if (Problem(_names) is { } problem)
        {
            throw new ArgumentException(problem, nameof(names));
        }
    }

    /// <summary>What keeps <paramref name="names"/> from being class labels, or null when they can be.</summary>
    internal static string? Problem(IReadOnlyList<string?> names)
    {
        if (names.Count == 0)
        {
            return "At least one class name is needed.";
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
            {
                return $"Class {i} has no name.";
            }
        }

        return null;
    }

    /// <summary>
    /// The 1000 ImageNet-1k classes in the standard order (torchvision's names, where the two duplicate WordNet names
    /// are told apart as "crane bird" / "crane" and "maillot" / "maillot tank suit").
    /// </summary>
    public static ClassLabels ImageNet1k => LazyImageNet.Value;

    /// <summary>The number of classes.</summary>
    public int Count => _names.Length;

    /// <summary>The name of class <paramref name="index"/>.</summary>
    public string this[int index] => _names[index];

    /// <summary>Reads labels from a text file with one class name per line (blank lines at the end are ignored).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is empty or has a blank line between names.</exception>
    public static ClassLabels FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // A device, a FIFO or a huge file would be read without end: label files are small regular text files.
        FileKind.RequireRegularFile(path, "label file");
        var info = new FileInfo(path);
        if (info.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"The label file '{path}' has {info.Length} bytes; label files are at most {MaxFileBytes} bytes.");
        }

        var lines = File.ReadAllLines(path).Select(l => l.Trim()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        if (lines.Count == 0)
        {
            throw new InvalidDataException($"The label file '{path}' holds no class names.");
        }

        var blank = lines.FindIndex(l => l.Length == 0);
        if (blank >= 0)
        {
            throw new InvalidDataException($"Line {blank + 1} of the label file '{path}' is blank; expected one class name per line.");
        }

        return new ClassLabels(lines);
    }

    /// <summary>Placeholder names "class 0", "class 1", … for a model without labels.</summary>
    public static ClassLabels Numbered(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return new ClassLabels(Enumerable.Range(0, count).Select(i => $"class {i}"));
    }

    /// <inheritdoc />
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_names).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static ClassLabels LoadImageNet()
    {
        using var stream = typeof(ClassLabels).Assembly.GetManifestResourceStream("ConvMixerNet.Core.imagenet1k_labels.txt")
            ?? throw new InvalidOperationException("The ImageNet-1k labels are missing from the ConvMixerNet.Core assembly.");
        using var reader = new StreamReader(stream);
        var names = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new ClassLabels(names);
    }
}
