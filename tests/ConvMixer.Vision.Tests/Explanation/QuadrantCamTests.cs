using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace ConvMixerNet.Vision.Tests;

/// <summary>
/// On a model trained to find a bright square that sits in one quadrant of each image, the maps point there; and they depend
/// on the model's weights (Adebayo et al., "Sanity checks for saliency maps", 2018: randomising the weights must
/// change the explanation).
/// </summary>
public class QuadrantCamTests(ITestOutputHelper output)
{
    private const int Images = 64;

    // Measured: Grad-CAM peaks in the square's quadrant in 57 of 64 test images (chance: 16), EigenCAM in 50, and their
    // mean value there is 2.5 and 2.6 times the mean elsewhere.
    [Theory]
    [InlineData(CamMethod.GradCam, 48)]
    [InlineData(CamMethod.EigenCam, 43)]
    public void The_map_of_the_square_peaks_in_its_quadrant(CamMethod method, int minimumPeaks)
    {
        using var classifier = QuadrantModel.Classifier(QuadrantModel.Trained());
        var images = QuadrantModel.TestImages(Images);
        var found = images.Count(i => classifier.Classify(i.Image, 1)[0].Label == "square") / (double)Images;

        var explanations = classifier.Explain(images.Select(i => i.Image).ToList(), classIndex: 1, method: method);
        var peaks = 0;
        double inside = 0, outside = 0;
        for (var n = 0; n < Images; n++)
        {
            var label = images[n].Quadrant;
            var e = explanations[n];
            e.ClassIndex.Should().Be(1);
            e.Rows.Should().Be(QuadrantModel.Side / 2);
            var (peakRow, peakColumn) = Peak(e);
            peaks += QuadrantModel.InQuadrant(label, peakRow, peakColumn, e.Rows) ? 1 : 0;
            var cells = Cells(e).ToList();
            inside += cells.Where(c => QuadrantModel.InQuadrant(label, c.Row, c.Column, e.Rows)).Average(c => c.Value);
            outside += cells.Where(c => !QuadrantModel.InQuadrant(label, c.Row, c.Column, e.Rows)).Average(c => c.Value);
        }

        output.WriteLine($"{method}: squares found {found:P1}, peak in the square's quadrant {peaks}/{Images}, mean inside {inside / Images:F3}, outside {outside / Images:F3}");
        found.Should().BeGreaterThan(0.95, "the model must have learnt the task for its maps to mean anything");
        peaks.Should().BeGreaterThanOrEqualTo(minimumPeaks);
        inside.Should().BeGreaterThan(1.5 * outside);
    }

    [Fact]
    public void Randomising_the_classifier_then_every_weight_changes_the_maps()
    {
        var images = QuadrantModel.TestImages(Images);
        var list = images.Select(i => i.Image).ToList();
        float[][] Maps(ConvMixer model, CamMethod method)
        {
            using var classifier = QuadrantModel.Classifier(model);
            return classifier.Explain(list, classIndex: 1, method).Select(e => e.Map.ToArray()).ToArray();
        }

        var trained = Maps(QuadrantModel.Trained(), CamMethod.GradCam);
        var headRandom = QuadrantModel.Trained();
        TorchSharp.torch.manual_seed(11);
        headRandom.ResetClassifier(2);
        var cascade = new[]
        {
            ("random classifier", Maps(headRandom, CamMethod.GradCam)),
            ("all weights random", Maps(QuadrantModel.Random(seed: 12), CamMethod.GradCam)),
        };

        // The same model twice gives the same maps, so a change below is the weights' doing.
        Maps(QuadrantModel.Trained(), CamMethod.GradCam).Should().BeEquivalentTo(trained);
        foreach (var (name, maps) in cascade)
        {
            var correlation = Enumerable.Range(0, Images).Average(n => Spearman(trained[n], maps[n]));
            var change = Enumerable.Range(0, Images).Average(n => trained[n].Zip(maps[n]).Average(p => Math.Abs(p.First - p.Second)));
            output.WriteLine($"{name}: mean Spearman correlation with the trained maps {correlation:F3}, mean absolute change {change:F3}");
            correlation.Should().BeLessThan(0.5, name);
            change.Should().BeGreaterThan(0.15f, name);
        }

        // EigenCAM ignores the classifier by design; it still depends on the layers' weights.
        var eigenTrained = Maps(QuadrantModel.Trained(), CamMethod.EigenCam);
        var eigenRandom = Maps(QuadrantModel.Random(seed: 12), CamMethod.EigenCam);
        var eigenCorrelation = Enumerable.Range(0, Images).Average(n => Spearman(eigenTrained[n], eigenRandom[n]));
        output.WriteLine($"EigenCAM, all weights random: mean Spearman correlation {eigenCorrelation:F3}");
        eigenCorrelation.Should().BeLessThan(0.5);
    }

    private static (int Row, int Column) Peak(Explanation e)
    {
        var best = Cells(e).MaxBy(c => c.Value);
        return (best.Row, best.Column);
    }

    private static IEnumerable<(int Row, int Column, float Value)> Cells(Explanation e) =>
        from r in Enumerable.Range(0, e.Rows) from c in Enumerable.Range(0, e.Columns) select (r, c, e[r, c]);

    // Rank correlation (ties get their mean rank), as Adebayo et al. compare saliency maps.
    private static double Spearman(float[] a, float[] b)
    {
        var (ra, rb) = (Ranks(a), Ranks(b));
        var (ma, mb) = (ra.Average(), rb.Average());
        var cov = ra.Zip(rb).Sum(p => (p.First - ma) * (p.Second - mb));
        var va = ra.Sum(v => (v - ma) * (v - ma));
        var vb = rb.Sum(v => (v - mb) * (v - mb));
        return va == 0 || vb == 0 ? 0 : cov / Math.Sqrt(va * vb);
    }

    private static double[] Ranks(float[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }

            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = (i + j) / 2.0;
            }

            i = j + 1;
        }

        return ranks;
    }
}
