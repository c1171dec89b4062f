using System.Globalization;
using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary>The tables printed after training and evaluation: per-epoch summary, per-class accuracy and confusion matrix.</summary>
internal static class TrainingTables
{
    public static Table Epochs(IReadOnlyList<EpochMetrics> history)
    {
        var table = new Table().Title("[bold]Training summary[/]")
            .AddColumn("Epoch").AddColumn(new TableColumn("Train loss").RightAligned()).AddColumn(new TableColumn("Train acc").RightAligned())
            .AddColumn(new TableColumn("Val loss").RightAligned()).AddColumn(new TableColumn("Val acc").RightAligned())
            .AddColumn(new TableColumn("LR").RightAligned()).AddColumn(new TableColumn("Time").RightAligned()).AddColumn(new TableColumn("Images/s").RightAligned());
        foreach (var m in history)
        {
            table.AddRow(
                m.Epoch.ToString(CultureInfo.InvariantCulture), F(m.TrainLoss, "F4"), Percent(m.TrainAccuracy),
                m.ValidationLoss is { } vl ? F(vl, "F4") : "-", m.ValidationAccuracy is { } va ? Percent(va) : "-",
                F(m.LearningRate, "G3"), $"{F(m.TrainSeconds, "F1")} s", F(m.ImagesPerSecond, "F0"));
        }

        return table;
    }

    public static Table Confusion(EvaluationResult result)
    {
        var names = result.ClassNames;
        var table = new Table().Title("[bold]Confusion matrix[/] (rows: true class, columns: predicted)").AddColumn("True \\ predicted");
        for (var j = 0; j < names.Count; j++)
        {
            table.AddColumn(new TableColumn(Markup.Escape(Short(names[j]))).RightAligned());
        }

        table.AddColumn(new TableColumn("Recall").RightAligned());
        for (var i = 0; i < names.Count; i++)
        {
            var cells = new List<string> { Markup.Escape(names[i]) };
            for (var j = 0; j < names.Count; j++)
            {
                var count = result.ConfusionMatrix[i, j].ToString(CultureInfo.InvariantCulture);
                cells.Add(i == j ? $"[green]{count}[/]" : result.ConfusionMatrix[i, j] == 0 ? $"[grey]{count}[/]" : count);
            }

            cells.Add(Percent(result.ClassAccuracy(i)));
            table.AddRow(cells.ToArray());
        }

        return table;
    }

    public static string Percent(double value) => (100 * value).ToString("F2", CultureInfo.InvariantCulture) + " %";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Short(string name) => name.Length <= 10 ? name : name[..9] + "…";
}
