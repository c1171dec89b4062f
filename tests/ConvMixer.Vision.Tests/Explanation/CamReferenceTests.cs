using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

/// <summary>Grad-CAM and EigenCAM maps equal pytorch-grad-cam's on timm's ConvMixer with the golden weights (tools/explain).</summary>
public class CamReferenceTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<int> CaseIndices => new(Enumerable.Range(0, CamFixtures.Cases.Count));

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void GradCam_of_the_top_class_and_of_another_class_equals_the_reference(int index)
    {
        var reference = CamFixtures.Cases[index];
        using var classifier = CamFixtures.Classifier(reference.Model, reference.InputSize);
        var photo = PreprocessingFixtures.Image(reference.Image);

        var top = classifier.Explain(photo);
        top.ClassIndex.Should().Be(reference.TopClass, reference.ToString());
        top.Method.Should().Be(CamMethod.GradCam);
        top.Probability.Should().BeApproximately(Softmax(reference.Logits)[reference.TopClass], 1e-5f);
        top.Label.Should().Be(classifier.Labels[reference.TopClass]);
        ShouldEqual(top, reference.Classes[0].GradCam, reference + ", top class");

        var (other, expected) = reference.Classes[1];
        var explanation = classifier.Explain(photo, other, CamMethod.GradCam);
        explanation.ClassIndex.Should().Be(other);
        explanation.Probability.Should().BeApproximately(Softmax(reference.Logits)[other], 1e-5f);
        ShouldEqual(explanation, expected, $"{reference}, class {other}");
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void EigenCam_equals_the_sign_corrected_reference(int index)
    {
        var reference = CamFixtures.Cases[index];
        using var classifier = CamFixtures.Classifier(reference.Model, reference.InputSize);

        var explanation = classifier.Explain(PreprocessingFixtures.Image(reference.Image), method: CamMethod.EigenCam);

        explanation.Method.Should().Be(CamMethod.EigenCam);
        explanation.ClassIndex.Should().Be(reference.TopClass);
        ShouldEqual(explanation, reference.EigenCam, reference + ", EigenCAM");
    }

    [Fact]
    public void Many_files_are_explained_in_batches_like_each_alone_and_unreadable_ones_get_errors()
    {
        var cases = CamFixtures.Cases.Where(c => c.Model == "caseA" && c.InputSize == 32).ToList();
        using var classifier = ImageClassifier.FromCheckpoint(
            CamFixtures.Weights("caseA"), new ImageClassifierOptions { DataConfig = new DataConfig { InputSize = 32 }, BatchSize = 2 });
        var paths = cases.Select(c => PreprocessingFixtures.Image(c.Image)).Append("missing.png").ToList();

        var results = classifier.ExplainMany(paths).ToList();

        results.Select(r => r.Source).Should().Equal(paths);
        results[^1].Succeeded.Should().BeFalse();
        results[^1].Error.Should().Be("file not found");
        for (var i = 0; i < cases.Count; i++)
        {
            results[i].Succeeded.Should().BeTrue(results[i].Error);
            results[i].Explanation!.ClassIndex.Should().Be(cases[i].TopClass);
            ShouldEqual(results[i].Explanation!, cases[i].Classes[0].GradCam, cases[i].ToString());
        }

        // One class for every image of a list: the photos whose reference explains class 4.
        var withFour = cases.Where(c => c.Classes.Any(k => k.Class == 4)).ToList();
        withFour.Should().HaveCountGreaterThan(1);
        var images = withFour.Select(c => classifier.Preprocessor.Decode(PreprocessingFixtures.Image(c.Image))).ToList();
        var batch = classifier.Explain(images, classIndex: 4);
        var eigen = classifier.Explain(images, method: CamMethod.EigenCam);
        batch.Should().HaveCount(withFour.Count);
        for (var i = 0; i < withFour.Count; i++)
        {
            ShouldEqual(batch[i], withFour[i].Classes.Single(k => k.Class == 4).GradCam, withFour[i] + ", class 4 in a batch");
            ShouldEqual(eigen[i], withFour[i].EigenCam, withFour[i] + ", EigenCAM in a batch");
        }
    }

    [Fact]
    public void Every_input_form_gives_the_same_map()
    {
        var reference = CamFixtures.Cases[0];
        using var classifier = CamFixtures.Classifier(reference.Model, reference.InputSize);
        var path = PreprocessingFixtures.Image(reference.Image);
        var bytes = File.ReadAllBytes(path);
        using var stream = new MemoryStream(bytes);

        Explanation[] forms =
        [
            classifier.Explain(bytes),
            classifier.Explain(stream),
            classifier.Explain(classifier.Preprocessor.Decode(path)),
        ];

        foreach (var explanation in forms)
        {
            ShouldEqual(explanation, reference.Classes[0].GradCam, reference.ToString());
            explanation.InputView.Width.Should().Be(reference.InputSize);
        }
    }

    private static void ShouldEqual(Explanation actual, float[][] expected, string because)
    {
        actual.Rows.Should().Be(expected.Length, because);
        actual.Columns.Should().Be(expected[0].Length, because);
        var worst = 0f;
        for (var r = 0; r < actual.Rows; r++)
        {
            for (var c = 0; c < actual.Columns; c++)
            {
                worst = Math.Max(worst, Math.Abs(actual[r, c] - expected[r][c]));
            }
        }

        worst.Should().BeLessThanOrEqualTo(Tolerance, because);
        actual.ToRows().Should().HaveCount(actual.Rows);
    }

    private static float[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        return exp.Select(e => (float)(e / exp.Sum())).ToArray();
    }
}
