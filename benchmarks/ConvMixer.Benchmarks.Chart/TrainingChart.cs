using System.Globalization;
using ScottPlot;

/// <summary>
/// Test accuracy against cumulative training time for one or more runs, from the trainers' metrics CSVs
/// (columns: epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, train_seconds, …),
/// with the 20-minute budget and the 93% goal of the Fashion-MNIST benchmark drawn in.
/// </summary>
internal static class TrainingChart
{
    public static void Write(IReadOnlyList<(string Label, string CsvPath)> runs, string pngPath)
    {
        var plot = new Plot();
        Color[] colors = [Colors.SteelBlue, Colors.Orange, Colors.SeaGreen, Colors.DarkRed];
        for (var r = 0; r < runs.Count; r++)
        {
            var (minutes, accuracy) = Read(runs[r].CsvPath);
            var line = plot.Add.Scatter(minutes, accuracy, colors[r % colors.Length]);
            line.LegendText = runs[r].Label;
            line.MarkerSize = 7;
        }

        var budget = plot.Add.VerticalLine(20, color: Colors.Gray);
        budget.LinePattern = LinePattern.Dashed;
        budget.LegendText = "20 min of training";
        var goal = plot.Add.HorizontalLine(93, color: Colors.Gray);
        goal.LinePattern = LinePattern.Dotted;
        goal.LegendText = "93% test accuracy";
        plot.Legend.Alignment = Alignment.LowerRight;
        plot.Title("Fashion-MNIST: test accuracy after each epoch");
        plot.XLabel("cumulative training time (minutes)");
        plot.YLabel("test accuracy (%)");
        plot.SavePng(pngPath, 1000, 600);
    }

    private static (double[] Minutes, double[] Accuracy) Read(string csvPath)
    {
        var lines = File.ReadAllLines(csvPath);
        var header = lines[0].Split(',');
        var accuracyColumn = Array.IndexOf(header, "val_accuracy");
        var secondsColumn = Array.IndexOf(header, "train_seconds");
        if (accuracyColumn < 0 || secondsColumn < 0)
        {
            throw new InvalidDataException($"{csvPath}: expected the columns val_accuracy and train_seconds in the header '{lines[0]}'.");
        }

        var minutes = new List<double>();
        var accuracy = new List<double>();
        var elapsed = 0.0;
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            elapsed += double.Parse(cells[secondsColumn], CultureInfo.InvariantCulture);
            minutes.Add(elapsed / 60);
            accuracy.Add(100 * double.Parse(cells[accuracyColumn], CultureInfo.InvariantCulture));
        }

        return (minutes.ToArray(), accuracy.ToArray());
    }
}
