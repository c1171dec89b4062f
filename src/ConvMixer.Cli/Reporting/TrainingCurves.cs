using ScottPlot;

namespace ConvMixerNet.Cli;

/// <summary>PNG plots of the loss and accuracy per epoch (ScottPlot 5), written next to the checkpoint.</summary>
internal static class TrainingCurves
{
    public const string LossFile = "loss.png";
    public const string AccuracyFile = "accuracy.png";

    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<EpochMetrics> history)
    {
        var epochs = history.Select(m => (double)m.Epoch).ToArray();
        var loss = Path.Combine(directory, LossFile);
        var accuracy = Path.Combine(directory, AccuracyFile);
        Save(loss, "Loss", "cross-entropy", epochs, history.Select(m => m.TrainLoss), history.Select(m => m.ValidationLoss));
        Save(accuracy, "Top-1 accuracy", "accuracy (%)", epochs, history.Select(m => 100 * m.TrainAccuracy), history.Select(m => m.ValidationAccuracy * 100));
        return [loss, accuracy];
    }

    private static void Save(string path, string title, string yLabel, double[] epochs, IEnumerable<double> train, IEnumerable<double?> validation)
    {
        var plot = new Plot();
        var trainLine = plot.Add.Scatter(epochs, train.ToArray());
        trainLine.LegendText = "training";
        var validationValues = validation.ToArray();
        if (validationValues.All(v => v is not null))
        {
            var validationLine = plot.Add.Scatter(epochs, validationValues.Select(v => v!.Value).ToArray());
            validationLine.LegendText = "validation";
        }

        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.YLabel(yLabel);
        plot.ShowLegend();
        var bytes = plot.GetImageBytes(800, 500, ImageFormat.Png);
        var temporary = path + ".partial";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
