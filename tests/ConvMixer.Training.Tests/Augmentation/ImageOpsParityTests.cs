using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>
/// Every image operation of the training transforms against torchvision 0.14 / timm on Pillow 9.4, with the random
/// choices fixed (Fixtures/augmentation.json). All are pixel-exact: Pillow's integer tables, fixed-point resampling and
/// float/double steps are reproduced in the same order.
/// </summary>
public class ImageOpsParityTests
{
    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < AugmentationFixture.Root.GetProperty("cases").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Operation_matches_torchvision_and_timm(int index)
    {
        var @case = AugmentationFixture.Root.GetProperty("cases")[index];
        var op = @case.GetProperty("op").GetString()!;
        var p = @case.GetProperty("params");
        var expected = AugmentationFixture.Image(@case.GetProperty("image"));

        var actual = Apply(AugmentationFixture.Source, op, p);

        var (max, differing) = AugmentationFixture.Compare(actual, expected);
        differing.Should().Be(0, $"{op} {p.GetRawText()} is pixel-exact with Pillow (largest difference {max})");
    }

    internal static RgbImage Apply(RgbImage source, string op, JsonElement p)
    {
        double Value() => p.GetProperty("value").GetDouble();
        Interpolation Interp() => Enum.Parse<Interpolation>(p.GetProperty("interpolation").GetString()!, ignoreCase: true);
        var fill = AugmentationFixture.Fill;
        return op switch
        {
            "random_resized_crop" => ImageOps.ResizedCrop(
                source, p.GetProperty("top").GetInt32(), p.GetProperty("left").GetInt32(), p.GetProperty("height").GetInt32(), p.GetProperty("width").GetInt32(),
                p.GetProperty("size").GetInt32(), Interp()),
            "hflip" => ImageOps.FlipLeftRight(source),
            "AutoContrast" => ImageOps.AutoContrast(source),
            "Equalize" => ImageOps.Equalize(source),
            "Invert" => ImageOps.Invert(source),
            "Posterize" => ImageOps.Posterize(source, (int)Value()),
            "Solarize" => ImageOps.Solarize(source, (int)Value()),
            "SolarizeAdd" => ImageOps.SolarizeAdd(source, (int)Value()),
            "Color" or "adjust_saturation" => ImageOps.Color(source, Value()),
            "Contrast" or "adjust_contrast" => ImageOps.Contrast(source, Value()),
            "Brightness" or "adjust_brightness" => ImageOps.Brightness(source, Value()),
            "Sharpness" => ImageOps.Sharpness(source, Value()),
            "adjust_hue" => ImageOps.AdjustHue(source, Value()),
            "Rotate" => ImageOps.Rotate(source, Value(), Interp(), fill),
            "ShearX" => ImageOps.ShearX(source, Value(), Interp(), fill),
            "ShearY" => ImageOps.ShearY(source, Value(), Interp(), fill),
            "TranslateXRel" => ImageOps.TranslateXRel(source, Value(), Interp(), fill),
            "TranslateYRel" => ImageOps.TranslateYRel(source, Value(), Interp(), fill),
            _ => throw new InvalidOperationException($"The fixture has an operation the test does not know: {op}"),
        };
    }
}
