using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace ConvMixerNet.Vision.Tests;

/// <summary>
/// The overlay: the map stretched bilinearly, coloured and blended over the model's input view; PNG encoding; the
/// colormap, against ScottPlot's viridis table (an independent implementation).
/// </summary>
public class OverlayTests(ITestOutputHelper output)
{
    [Fact]
    public void Opacity_blends_the_view_with_the_colour_of_the_stretched_map()
    {
        // A 1×2 map [0, 1] over a 4×2 grey view: pixel centres fall at map columns -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        var view = new RgbImage(4, 2, Enumerable.Repeat((byte)100, 4 * 2 * 3).ToArray());
        var explanation = Make(view, rows: 1, columns: 2, [0f, 1f]);
        double[] expectedT = [0, 0.25, 0.75, 1];

        var onlyView = ExplanationOverlay.Render(explanation, opacity: 0);
        var onlyMap = ExplanationOverlay.Render(explanation, opacity: 1);
        var half = ExplanationOverlay.Render(explanation, opacity: 0.5);

        onlyView.Pixels.ToArray().Should().Equal(view.Pixels.ToArray());
        for (var x = 0; x < 4; x++)
        {
            for (var y = 0; y < 2; y++)
            {
                onlyMap[x, y].Should().Be(Viridis.Color(expectedT[x]), $"pixel {x}");
                var (r, g, b) = Viridis.Color(expectedT[x]);
                half[x, y].Should().Be((Mix(100, r), Mix(100, g), Mix(100, b)), $"pixel {x}");
            }
        }

        FluentActions.Invoking(() => ExplanationOverlay.Render(explanation, opacity: 1.5)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("opacity");
        FluentActions.Invoking(() => ExplanationOverlay.Render(explanation, opacity: double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void The_png_holds_exactly_the_rendered_pixels_at_the_input_size()
    {
        using var classifier = GoldenModel.Classifier();
        var explanation = classifier.Explain(PreprocessingFixtures.Image("rocket_portrait.jpg"));

        var rendered = ExplanationOverlay.Render(explanation);
        var png = ExplanationOverlay.RenderPng(explanation);

        png.AsSpan(0, 8).ToArray().Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
        var decoded = ImageDecoder.Decode(png);
        (decoded.Width, decoded.Height).Should().Be((32, 32));
        decoded.Pixels.ToArray().Should().Equal(rendered.Pixels.ToArray());
        rendered.Pixels.ToArray().Should().NotEqual(explanation.InputView.Pixels.ToArray());
    }

    [Fact]
    public void The_colormap_is_within_4_of_255_of_ScottPlots_viridis_table()
    {
        var table = new ScottPlot.Colormaps.Viridis();
        var worst = 0;
        for (var i = 0; i <= 255; i++)
        {
            var expected = table.GetColor(i / 255.0);
            var (r, g, b) = Viridis.Color(i / 255.0);
            worst = Math.Max(worst, new[] { Math.Abs(r - expected.R), Math.Abs(g - expected.G), Math.Abs(b - expected.B) }.Max());
        }

        output.WriteLine($"largest difference from ScottPlot's viridis table: {worst}/255");
        worst.Should().BeLessThanOrEqualTo(4);
        Viridis.Color(-1).Should().Be(Viridis.Color(0));
        Viridis.Color(double.NaN).Should().Be(Viridis.Color(0));
        Viridis.Color(2).Should().Be(Viridis.Color(1));
    }

    private static Explanation Make(RgbImage view, int rows, int columns, float[] map) =>
        new(new Prediction(0, "zero", 1f), CamMethod.GradCam, rows, columns, map, view);

    private static byte Mix(byte image, byte heat) => (byte)Math.Round((0.5 * image) + (0.5 * heat), MidpointRounding.AwayFromZero);
}
