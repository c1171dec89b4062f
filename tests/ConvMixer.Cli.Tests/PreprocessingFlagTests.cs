using System.Globalization;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary>
/// <c>--crop-fraction</c> and <c>--interpolation</c> reach the classifier: the tool classifies as the library does with the
/// same configuration, and <c>convert</c> stores them in the model folder it writes.
/// </summary>
public sealed class PreprocessingFlagTests : IDisposable
{
    private static readonly string Image = Fixtures.Image("cat_landscape.jpg");

    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("--crop-fraction", "0.5")]
    [InlineData("--interpolation", "nearest")]
    [InlineData("--interpolation", "box")]
    public void Predict_preprocesses_with_the_flag_as_the_library_does(string option, string value)
    {
        var expected = LibraryProbabilities(With(new DataConfig { InputSize = 32 }, option, value));
        var unflagged = LibraryProbabilities(new DataConfig { InputSize = 32 });
        expected.Zip(unflagged).Max(p => Math.Abs(p.First - p.Second)).Should().BeGreaterThan(1e-3f, $"{option} {value} changes the result, so the test can tell whether it is used");

        var result = ConvMixerTool.Run("predict", "-w", Fixtures.Weights, "--input-size", "32", option, value, "--top", "10", "--json", Image);

        result.ExitCode.Should().Be(0, result.ToString());
        ToolProbabilities(result.Output).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-5f, result.Output);
    }

    [Fact]
    public void Convert_stores_the_crop_fraction_and_interpolation_and_predict_uses_them()
    {
        var folder = _dir.File("model") + "/";
        string[] flags = ["--input-size", "32", "--crop-fraction", "0.5", "--interpolation", "nearest"];

        var convert = ConvMixerTool.Run(["convert", Fixtures.Weights, folder, .. flags]);

        convert.ExitCode.Should().Be(0, convert.ToString());
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json"))))
        {
            var cfg = config.RootElement.GetProperty("pretrained_cfg");
            cfg.GetProperty("crop_pct").GetDouble().Should().Be(0.5);
            cfg.GetProperty("interpolation").GetString().Should().Be("nearest");
        }

        var stored = ConvMixerTool.Run("predict", "-w", folder, "--top", "10", "--json", Image);
        stored.ExitCode.Should().Be(0, stored.ToString());
        ToolProbabilities(stored.Output).Should().Equal(
            LibraryProbabilities(new DataConfig { InputSize = 32, CropFraction = 0.5, Interpolation = Interpolation.Nearest }), (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    private static DataConfig With(DataConfig data, string option, string value) => option switch
    {
        "--crop-fraction" => data with { CropFraction = double.Parse(value, CultureInfo.InvariantCulture) },
        "--interpolation" => data with { Interpolation = Enum.Parse<Interpolation>(value, ignoreCase: true) },
        _ => throw new ArgumentOutOfRangeException(nameof(option), option, null),
    };

    // The golden model's ten class probabilities for the image, by class index.
    private static float[] LibraryProbabilities(DataConfig data)
    {
        using var classifier = ImageClassifier.FromCheckpoint(Fixtures.Weights, new ImageClassifierOptions { DataConfig = data });
        return [.. classifier.Classify(Image, 10).OrderBy(p => p.ClassIndex).Select(p => p.Probability)];
    }

    private static float[] ToolProbabilities(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement[0].GetProperty("predictions").EnumerateArray()
            .OrderBy(p => p.GetProperty("index").GetInt32()).Select(p => p.GetProperty("probability").GetSingle())];
    }
}
