using ConvMixerNet.Vision;
using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Onnx.Tests;

/// <summary>
/// The optional <c>last_layer</c> output: it equals TorchSharp's feature map, lets ImageClassifier compute EigenCAM on ONNX
/// Runtime as on TorchSharp, survives int8 quantization; Grad-CAM and files without it are refused with the reason.
/// </summary>
public class LastLayerOutputTests
{
    private static readonly DataConfig Data = new() { InputSize = 32 };

    [Theory]
    [InlineData(2, 32, 32)]
    [InlineData(3, 37, 45)] // sides that are not multiples of the patch: 9×11 cells
    public void The_last_layer_output_equals_TorchSharps_feature_map(int n, int h, int w)
    {
        var golden = GoldenCase.Load("caseA");
        using var exported = new ExportedModel(golden.BuildModel(), lastLayer: true);
        var batch = TestModels.Batch(n, 3, h, w);
        using var onnx = OnnxConvMixer.Load(exported.Path);

        var maps = onnx.FeatureMaps(batch, n, h, w);

        onnx.HasLastLayerOutput.Should().BeTrue();
        (maps.Channels, maps.Rows, maps.Columns).Should().Be((32, h / 4, w / 4));
        maps.Gradients.Should().BeNull();
        maps.Logits.ShouldBeCloseTo(onnx.ComputeLogits(batch, [n, 3, h, w]));
        using var _ = torch.no_grad();
        using var input = torch.tensor(batch, [n, 3, h, w]);
        using var features = exported.Model.ForwardFeatures(input);
        maps.Activations.ShouldBeCloseTo(TestModels.Flat(features));
    }

    [Fact]
    public void EigenCam_on_ONNX_Runtime_equals_EigenCam_on_TorchSharp_and_GradCam_is_refused()
    {
        var golden = GoldenCase.Load("caseA");
        using var exported = new ExportedModel(golden.BuildModel(), lastLayer: true);
        using var onRuntime = new ImageClassifier(OnnxConvMixer.Load(exported.Path), new ImageClassifierOptions { DataConfig = Data });
        using var onTorch = new ImageClassifier(golden.BuildModel(), new ImageClassifierOptions { DataConfig = Data });
        var images = Images(4);

        var expected = onTorch.Explain(images, method: CamMethod.EigenCam);
        var actual = onRuntime.Explain(images, method: CamMethod.EigenCam);

        for (var i = 0; i < images.Count; i++)
        {
            actual[i].ClassIndex.Should().Be(expected[i].ClassIndex);
            actual[i].Probability.Should().BeApproximately(expected[i].Probability, 1e-5f);
            actual[i].Map.Zip(expected[i].Map).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-4f);
        }

        onRuntime.Invoking(c => c.Explain(images[0])).Should().Throw<NotSupportedException>()
            .WithMessage("Grad-CAM needs gradients, which the ONNX Runtime float32 backend does not compute; use EigenCAM*");
    }

    [Fact]
    public void A_file_exported_without_it_keeps_one_output_and_is_refused_with_how_to_export_it()
    {
        using var exported = new ExportedModel(GoldenCase.Load("caseA").BuildModel());
        ConvMixerOnnxFile.Read(exported.Path).Graph.Output.Select(o => o.Name).Should().Equal(OnnxGraphNames.Logits);
        using var classifier = new ImageClassifier(OnnxConvMixer.Load(exported.Path), new ImageClassifierOptions { DataConfig = Data });

        classifier.Invoking(c => c.Explain(Images(1)[0], method: CamMethod.EigenCam)).Should().Throw<NotSupportedException>()
            .WithMessage("model.onnx was exported without its last layer's output*--last-layer-output*");
    }

    [Fact]
    public void An_int8_model_keeps_the_output_and_its_EigenCam_follows_float32s()
    {
        var golden = GoldenCase.Load("caseA");
        using var exported = new ExportedModel(golden.BuildModel(), lastLayer: true);
        var int8 = exported.File("model.int8.onnx");
        var calibration = Enumerable.Range(0, 4).Select(i => new CalibrationBatch(TestModels.Batch(4, 3, 32, 32, seed: 100 + i), 4, 3, 32, 32));
        OnnxInt8Quantizer.Quantize(exported.Path, int8, calibration);
        using var quantized = new ImageClassifier(OnnxConvMixer.Load(int8), new ImageClassifierOptions { DataConfig = Data });
        using var single = new ImageClassifier(OnnxConvMixer.Load(exported.Path), new ImageClassifierOptions { DataConfig = Data });
        var images = Images(8);

        var expected = single.Explain(images, method: CamMethod.EigenCam);
        var actual = quantized.Explain(images, method: CamMethod.EigenCam);

        ConvMixerOnnxFile.Read(int8).Graph.Output.Select(o => o.Name).Should().Equal(OnnxGraphNames.Logits, OnnxGraphNames.LastLayer);
        var meanDifference = actual.Zip(expected).Average(p => p.First.Map.Zip(p.Second.Map).Average(v => Math.Abs(v.First - v.Second)));
        meanDifference.Should().BeLessThan(0.1f);
    }

    // Image-like 40×40 RGB pictures: smooth gradients plus a bright square, different in each.
    private static List<RgbImage> Images(int count) => Enumerable.Range(0, count).Select(n =>
    {
        var pixels = new byte[40 * 40 * 3];
        for (var y = 0; y < 40; y++)
        {
            for (var x = 0; x < 40; x++)
            {
                var i = ((y * 40) + x) * 3;
                var square = Math.Abs(x - (8 + (5 * n % 24))) < 6 && Math.Abs(y - (30 - (7 * n % 22))) < 6;
                pixels[i] = (byte)(square ? 240 : 40 + (4 * x));
                pixels[i + 1] = (byte)(square ? 220 : 30 + (5 * y));
                pixels[i + 2] = (byte)(square ? 60 : 90 + (2 * (x + y)) + (10 * n));
            }
        }

        return new RgbImage(40, 40, pixels);
    }).ToList();
}
