using System.Globalization;
using System.Text;

namespace ConvMixerNet.Training;

/// <summary>Writes epoch metrics as CSV (one row per epoch, invariant culture), rewriting the whole file atomically.</summary>
public static class MetricsCsv
{
    /// <summary>Name of the metrics file in a run's output directory.</summary>
    public const string FileName = "metrics.csv";

    /// <summary>The header row.</summary>
    public const string Header = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,train_seconds,images_per_second";

    /// <summary>Writes <paramref name="history"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<EpochMetrics> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var text = new StringBuilder().Append(Header).Append('\n');
        foreach (var m in history)
        {
            text.AppendJoin(',', m.Epoch.ToString(CultureInfo.InvariantCulture), F(m.TrainLoss), F(m.TrainAccuracy), F(m.ValidationLoss), F(m.ValidationAccuracy), F(m.LearningRate), F(m.TrainSeconds), F(m.ImagesPerSecond))
                .Append('\n');
        }

        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Reads a file written by <see cref="Write"/>.</summary>
    public static IReadOnlyList<EpochMetrics> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header)
        {
            throw new InvalidDataException($"'{path}' is not a metrics file (expected the header '{Header}').");
        }

        return lines.Skip(1).Where(l => l.Length > 0).Select(line =>
        {
            var f = line.Split(',');
            return new EpochMetrics(int.Parse(f[0], CultureInfo.InvariantCulture), P(f[1]), P(f[2]), N(f[3]), N(f[4]), P(f[5]), P(f[6]), P(f[7]));
        }).ToArray();
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string F(double? value) => value is { } v ? F(v) : string.Empty;

    private static double P(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static double? N(string text) => text.Length == 0 ? null : P(text);
}
