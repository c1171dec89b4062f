using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

/// <summary>
/// Model folders written by timm's own code (tools/timm/make_hub_fixtures.py: a current <c>save_config_for_hf</c>
/// folder and a legacy flat one) classify the photos as timm's pipeline did, with the preprocessing and class names
/// the folders store.
/// </summary>
public class TimmFolderTests
{
    // timm and .NET make the same 8-bit crop (the preprocessing fixtures check that pixel for pixel) and the same
    // float32 normalisation; what remains is float32 rounding in two libtorch builds (the last run: 3.8e-6 at most).
    private const double AbsoluteTolerance = 1e-5;
    private const double RelativeTolerance = 1e-5;

    public static TheoryData<string> Folders => new() { "hub_folder", "legacy_folder" };

    [Theory]
    [MemberData(nameof(Folders))]
    public void The_folder_stores_what_timm_reads_from_it(string folder)
    {
        var reference = Reference(folder);

        using var model = ConvMixer.FromCheckpoint(Folder(folder));

        model.NumClasses.Should().Be(reference.GetProperty("num_classes").GetInt32());
        var pretrained = model.Pretrained!;
        pretrained.Architecture.Should().Be(reference.GetProperty("architecture").GetString());
        pretrained.LabelNames.Should().Equal(reference.GetProperty("label_names").EnumerateArray().Select(n => n.GetString()));
        var data = reference.GetProperty("data_config");
        var inputSize = data.GetProperty("input_size").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        new[] { pretrained.Data.InChannels, pretrained.Data.InputSize, pretrained.Data.InputSize }.Should().Equal(inputSize);
        pretrained.Data.Interpolation.ToString().ToLowerInvariant().Should().Be(data.GetProperty("interpolation").GetString());
        pretrained.Data.CropFraction.Should().Be(data.GetProperty("crop_pct").GetDouble());
        pretrained.Data.CropMode.ToString().ToLowerInvariant().Should().Be(data.GetProperty("crop_mode").GetString());
        pretrained.Data.Mean.Should().Equal(Floats(data.GetProperty("mean")));
        pretrained.Data.Std.Should().Equal(Floats(data.GetProperty("std")));
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Photos_get_timms_logits(string folder)
    {
        var reference = Reference(folder);
        // timm's loader ignores EXIF orientation; the photos have no orientation tag, but say so anyway.
        using var classifier = ImageClassifier.FromCheckpoint(Folder(folder), new ImageClassifierOptions { ApplyExifOrientation = false });

        foreach (var photo in reference.GetProperty("photos").EnumerateArray())
        {
            var name = photo.GetProperty("image").GetString()!;
            var expected = Floats(photo.GetProperty("logits"));

            using var input = classifier.Preprocessor.ToTensor(PreprocessingFixtures.Image(name));
            using var batch = input.unsqueeze(0);
            using var logits = classifier.Logits(batch);
            var actual = logits.data<float>().ToArray();

            actual.Should().HaveCount(expected.Length);
            for (var c = 0; c < expected.Length; c++)
            {
                actual[c].Should().BeApproximately(expected[c], (float)LogitTolerance(expected[c]), $"{name}, class {c}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Photos_get_timms_top1_and_probabilities(string folder)
    {
        var reference = Reference(folder);
        using var classifier = ImageClassifier.FromCheckpoint(Folder(folder), new ImageClassifierOptions { ApplyExifOrientation = false });
        classifier.AssumedDefaults.Should().BeNull();

        foreach (var photo in reference.GetProperty("photos").EnumerateArray())
        {
            var name = photo.GetProperty("image").GetString()!;
            var expected = Floats(photo.GetProperty("probabilities"));
            // Logits within e of timm's move each probability by a factor within exp(±2e), e the widest logit tolerance.
            var e = Floats(photo.GetProperty("logits")).Max(x => LogitTolerance(x));
            var relative = Math.Exp(2 * e) - 1;

            var predictions = classifier.Classify(PreprocessingFixtures.Image(name), topK: classifier.Labels.Count);

            predictions[0].ClassIndex.Should().Be(photo.GetProperty("top1").GetInt32(), name);
            predictions[0].Label.Should().Be(classifier.Labels[predictions[0].ClassIndex]);
            var byClass = predictions.OrderBy(p => p.ClassIndex).Select(p => p.Probability).ToArray();
            byClass.Should().HaveCount(expected.Length);
            for (var c = 0; c < expected.Length; c++)
            {
                byClass[c].Should().BeApproximately(expected[c], (float)((relative * expected[c]) + 1e-7), $"{name}, class {c}");
            }
        }
    }

    private static double LogitTolerance(float expected) => AbsoluteTolerance + (RelativeTolerance * Math.Abs(expected));

    private static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "timm", name);

    private static JsonElement Reference(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "timm", "reference.json")));
        return doc.RootElement.GetProperty("folders").EnumerateArray().Single(f => f.GetProperty("folder").GetString() == folder).Clone();
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => v.GetSingle()).ToArray();
}
