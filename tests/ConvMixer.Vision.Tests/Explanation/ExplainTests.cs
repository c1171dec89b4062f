using FluentAssertions;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ConvMixerNet.Vision.Tests;

/// <summary>ImageClassifier.Explain: bad requests, backends that cannot explain, bfloat16, threads and tensor lifetimes.</summary>
public class ExplainTests(ITestOutputHelper output)
{
    private static readonly string[] Photos = ["cat_landscape.jpg", "rocket_portrait.jpg", "coffee.webp", "camera_gray.png"];

    [Fact]
    public void Bad_requests_are_refused_with_messages_that_name_the_problem()
    {
        using var classifier = GoldenModel.Classifier();
        var photo = PreprocessingFixtures.Image(Photos[0]);

        FluentActions.Invoking(() => classifier.Explain(photo, classIndex: 10)).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("classIndex").WithMessage("The class must be between 0 and 9 (the model has 10 classes).*");
        FluentActions.Invoking(() => classifier.Explain(photo, classIndex: -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("classIndex");
        FluentActions.Invoking(() => classifier.Explain(photo, method: (CamMethod)5)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("method");
        FluentActions.Invoking(() => classifier.Explain("missing.jpg")).Should().Throw<FileNotFoundException>();
        FluentActions.Invoking(() => classifier.Explain([0x89, (byte)'P', (byte)'N', (byte)'G'], imageName: "broken.png"))
            .Should().Throw<ImageDecodeException>().WithMessage("*broken.png*");
        FluentActions.Invoking(() => classifier.Explain(new RgbImage[] { null! })).Should().Throw<ArgumentException>().WithMessage("*null image*");
        // A class out of range is refused before the file is read.
        FluentActions.Invoking(() => classifier.ExplainMany(["missing.jpg"], classIndex: 99)).Should().Throw<ArgumentOutOfRangeException>();
        classifier.Explain(Array.Empty<RgbImage>()).Should().BeEmpty();

        classifier.Dispose();
        FluentActions.Invoking(() => classifier.Explain(photo)).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void A_backend_without_feature_maps_or_gradients_is_refused_with_the_reason()
    {
        using (var logitsOnly = new ImageClassifier(new LogitsOnly(GoldenModelBackend()), GoldenModel.Options()))
        {
            FluentActions.Invoking(() => logitsOnly.Explain(PreprocessingFixtures.Image(Photos[0]))).Should().Throw<NotSupportedException>()
                .WithMessage("The logits only backend cannot return its last layer's output, so it cannot explain predictions.");
        }

        using var gradientFree = new ImageClassifier(new GradientFree(GoldenModelBackend()), GoldenModel.Options());
        FluentActions.Invoking(() => gradientFree.Explain(PreprocessingFixtures.Image(Photos[0]))).Should().Throw<NotSupportedException>()
            .WithMessage("Grad-CAM needs gradients, which the gradient-free backend does not compute; use EigenCAM*");
        using var classifier = GoldenModel.Classifier();
        gradientFree.Explain(PreprocessingFixtures.Image(Photos[0]), method: CamMethod.EigenCam).Map
            .Should().Equal(classifier.Explain(PreprocessingFixtures.Image(Photos[0]), method: CamMethod.EigenCam).Map);
    }

    [Fact]
    public void BFloat16_maps_stay_close_to_float32_maps()
    {
        using var single = CamFixtures.Classifier("caseA", 48);
        using var half = CamFixtures.Classifier("caseA", 48, InferencePrecision.BFloat16);
        half.Backend.Should().Contain("BFloat16");
        var worst = new Dictionary<CamMethod, float>();
        foreach (var method in new[] { CamMethod.GradCam, CamMethod.EigenCam })
        {
            foreach (var photo in Photos.Select(PreprocessingFixtures.Image))
            {
                var expected = single.Explain(photo, method: method);
                var actual = half.Explain(photo, classIndex: expected.ClassIndex, method: method);
                (actual.Rows, actual.Columns).Should().Be((12, 12));
                actual.Probability.Should().BeApproximately(expected.Probability, 0.01f);
                var difference = actual.Map.Zip(expected.Map).Max(p => Math.Abs(p.First - p.Second));
                worst[method] = Math.Max(worst.GetValueOrDefault(method), difference);
            }
        }

        output.WriteLine(string.Join(", ", worst.Select(w => $"{w.Key}: largest difference {w.Value:F4}")));
        worst.Values.Should().OnlyContain(w => w < 0.05f);
    }

    [Fact]
    public void Threads_explaining_and_classifying_at_once_get_the_sequential_results_and_leak_no_tensor()
    {
        using var classifier = GoldenModel.Classifier();
        var expected = Photos.ToDictionary(p => p, p => (
            GradCam: classifier.Explain(PreprocessingFixtures.Image(p)).Map.ToArray(),
            EigenCam: classifier.Explain(PreprocessingFixtures.Image(p), method: CamMethod.EigenCam).Map.ToArray(),
            Top: classifier.Classify(PreprocessingFixtures.Image(p), 1)[0].ClassIndex));
        var failures = new List<string>();
        void Fail(string failure)
        {
            lock (failures)
            {
                failures.Add(failure);
            }
        }

        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (var round = 0; round < 6; round++)
            {
                var photo = Photos[(t + round) % Photos.Length];
                var path = PreprocessingFixtures.Image(photo);
                var method = (t + round) % 2 == 0 ? CamMethod.GradCam : CamMethod.EigenCam;
                var map = classifier.Explain(path, method: method).Map;
                var want = method == CamMethod.GradCam ? expected[photo].GradCam : expected[photo].EigenCam;
                if (map.Zip(want).Any(p => Math.Abs(p.First - p.Second) > 1e-5f))
                {
                    Fail($"thread {t}, {photo}, {method}");
                }

                if (classifier.Classify(path, 1)[0].ClassIndex != expected[photo].Top)
                {
                    Fail($"thread {t}, {photo}, classification");
                }
            }

            if (classifier.ExplainMany(Photos.Select(PreprocessingFixtures.Image)).Any(r => !r.Succeeded))
            {
                Fail($"thread {t}: ExplainMany failed");
            }

            var leaked = DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
            if (leaked != 0)
            {
                Fail($"thread {t} left {leaked} tensors alive");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        failures.Should().BeEmpty();
    }

    [Fact]
    public void Explaining_leaves_no_tensor_alive_and_gives_the_model_no_gradients()
    {
        var model = ConvMixer.FromCheckpoint(GoldenModel.CheckpointPath);
        using var classifier = new ImageClassifier(model, GoldenModel.Options(batchSize: 2));
        var photos = Photos.Select(PreprocessingFixtures.Image).ToList();
        classifier.Explain(photos[0]);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (var i = 0; i < 5; i++)
        {
            classifier.Explain(photos[i % photos.Count], classIndex: i);
            classifier.Explain(photos[i % photos.Count], method: CamMethod.EigenCam);
        }

        classifier.ExplainMany(photos.Append("missing.jpg")).ToList();
        classifier.Explain(photos.Select(p => classifier.Preprocessor.Decode(p)).ToList());

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
        model.parameters().Count(p => p.grad is not null).Should().Be(0);
    }

    private static TorchSharpClassificationModel GoldenModelBackend() => new(ConvMixer.FromCheckpoint(GoldenModel.CheckpointPath));

    // A backend that only computes logits.
    private sealed class LogitsOnly(TorchSharpClassificationModel inner) : IImageClassificationModel
    {
        public ConvMixerConfig Architecture => inner.Architecture;

        public PretrainedConfig? Pretrained => inner.Pretrained;

        public string Backend => "logits only";

        public Tensor Logits(Tensor images) => inner.Logits(images);

        public void Dispose() => inner.Dispose();
    }

    // A backend with feature maps but no gradients, as ONNX Runtime is.
    private sealed class GradientFree(TorchSharpClassificationModel inner) : IImageClassificationModel, IFeatureMapModel
    {
        public ConvMixerConfig Architecture => inner.Architecture;

        public PretrainedConfig? Pretrained => inner.Pretrained;

        public string Backend => "gradient-free";

        public string? FeatureMapsUnavailableReason => null;

        public bool ComputesGradients => false;

        public Tensor Logits(Tensor images) => inner.Logits(images);

        public FeatureMapBatch FeatureMaps(ReadOnlySpan<float> images, int count, int height, int width, IReadOnlyList<int?>? gradientClasses = null) =>
            gradientClasses is null ? inner.FeatureMaps(images, count, height, width) : throw new NotSupportedException("no gradients here");

        public void Dispose() => inner.Dispose();
    }
}
