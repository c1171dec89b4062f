using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Vision.Tests;

public class ImageClassifierTests
{
    private static readonly string[] Photos =
        ["cat_landscape.jpg", "rocket_portrait.jpg", "coffee.webp", "camera_gray.png", "coins_gray.jpg", "hubble_small.bmp", "coffee_two_frames.gif"];

    [Fact]
    public void Logits_are_timms_on_the_golden_weights()
    {
        using var classifier = GoldenModel.Classifier();
        using var input = GoldenModel.Input;
        using var expected = GoldenModel.Logits;

        using var logits = classifier.Logits(input);

        // The README's parity tolerance: |logits - timm| <= 1e-5 + 1e-5·|timm| element-wise.
        logits.shape.Should().Equal(expected.shape);
        using var excess = (logits - expected).abs() - ((expected.abs() * 1e-5) + 1e-5);
        using var worst = (logits - expected).abs().max();
        using var largestExcess = excess.max();
        largestExcess.item<float>().Should().BeLessThanOrEqualTo(0f, $"the largest deviation is {worst.item<float>():E3}");
    }

    [Fact]
    public void Classify_returns_the_softmax_top_k_of_the_preprocessed_image()
    {
        using var classifier = GoldenModel.Classifier();
        var path = PreprocessingFixtures.Image("cat_landscape.jpg");

        var predictions = classifier.Classify(path, topK: 4);

        // The same computation by hand: preprocess, forward, softmax, sort.
        using var input = classifier.Preprocessor.ToTensor(path).unsqueeze(0);
        using var logits = classifier.Logits(input);
        using var probabilities = logits.softmax(1);
        var expected = probabilities.data<float>().ToArray().Select((p, i) => (p, i)).OrderByDescending(x => x.p).Take(4).ToArray();
        predictions.Select(p => p.ClassIndex).Should().Equal(expected.Select(e => e.i));
        predictions.Select(p => p.Probability).Should().Equal(expected.Select(e => e.p));
        predictions.Select(p => p.Label).Should().Equal(expected.Select(e => $"class {e.i}"));
        predictions.Select(p => p.Probability).Should().BeInDescendingOrder();
    }

    [Fact]
    public void Path_stream_and_bytes_give_the_same_result()
    {
        using var classifier = GoldenModel.Classifier();
        var path = PreprocessingFixtures.Image("coffee.webp");
        using var stream = File.OpenRead(path);

        var fromPath = classifier.Classify(path, 3);
        var fromStream = classifier.Classify(stream, 3);
        var fromBytes = classifier.Classify(File.ReadAllBytes(path), 3);

        fromStream.Should().Equal(fromPath);
        fromBytes.Should().Equal(fromPath);
    }

    [Fact]
    public void A_batch_with_bad_files_reports_them_and_classifies_the_rest_in_order()
    {
        using var classifier = GoldenModel.Classifier(batchSize: 3);
        var noise = TempFile.With(Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919 % 251)).ToArray(), ".jpg");
        var truncated = TempFile.With(File.ReadAllBytes(PreprocessingFixtures.Image("cat_landscape.jpg"))[..5000], ".jpg");
        var missing = Path.Combine(TempFile.NewFolder(), "missing.png");
        string[] paths =
        [
            PreprocessingFixtures.Image(Photos[0]), noise, PreprocessingFixtures.Image(Photos[1]), truncated,
            PreprocessingFixtures.Image(Photos[2]), missing, PreprocessingFixtures.Image(Photos[3]),
        ];

        var results = classifier.ClassifyMany(paths, topK: 2).ToList();

        results.Select(r => r.Source).Should().Equal(paths);
        results[1].Error.Should().Contain("not a supported image");
        results[3].Error.Should().Contain("truncated");
        results[5].Error.Should().Be("file not found");
        results[1].ToString().Should().Contain(noise);
        foreach (var i in new[] { 0, 2, 4, 6 })
        {
            results[i].Succeeded.Should().BeTrue();
            var alone = classifier.Classify(paths[i], topK: 2);
            results[i].Predictions.Select(p => p.ClassIndex).Should().Equal(alone.Select(p => p.ClassIndex));
            results[i].Predictions.Select(p => p.Probability).Should().Equal(alone.Select(p => p.Probability), (a, b) => Math.Abs(a - b) < 1e-5f);
        }
    }

    [Fact]
    public void ClassifyMany_streams_so_an_endless_sequence_can_be_consumed_in_part()
    {
        using var classifier = GoldenModel.Classifier(batchSize: 2);

        static IEnumerable<string> Endless()
        {
            for (var i = 0; ; i++)
            {
                yield return PreprocessingFixtures.Image(Photos[i % Photos.Length]);
            }
        }

        var firstFive = classifier.ClassifyMany(Endless(), topK: 1).Take(5).ToList();

        firstFive.Should().HaveCount(5).And.OnlyContain(r => r.Succeeded);
    }

    [Fact]
    public void A_list_of_decoded_images_is_classified_in_one_batch_like_each_alone_and_leaks_no_tensor()
    {
        using var classifier = GoldenModel.Classifier();
        var images = Photos.Select(p => classifier.Preprocessor.Decode(PreprocessingFixtures.Image(p))).ToList();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var results = classifier.Classify(images, topK: 3);

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
        results.Should().HaveCount(images.Count);
        for (var i = 0; i < images.Count; i++)
        {
            var alone = classifier.Classify(images[i], topK: 3);
            results[i].Select(p => p.ClassIndex).Should().Equal(alone.Select(p => p.ClassIndex), Photos[i]);
            results[i].Select(p => p.Label).Should().Equal(alone.Select(p => p.Label));
            results[i].Select(p => p.Probability).Should().Equal(alone.Select(p => p.Probability), (a, b) => Math.Abs(a - b) < 1e-5f);
        }

        classifier.Classify(Array.Empty<RgbImage>(), topK: 3).Should().BeEmpty();
        FluentActions.Invoking(() => classifier.Classify(images, topK: 11)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Threads_classifying_at_once_get_the_sequential_results_and_leak_no_tensor()
    {
        using var classifier = GoldenModel.Classifier();
        var expected = Photos.ToDictionary(p => p, p => classifier.Classify(PreprocessingFixtures.Image(p), 3));
        var failures = new List<string>();

        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (var round = 0; round < 6; round++)
            {
                var photo = Photos[(t + round) % Photos.Length];
                var actual = classifier.Classify(PreprocessingFixtures.Image(photo), 3);
                if (!actual.Select(p => p.ClassIndex).SequenceEqual(expected[photo].Select(p => p.ClassIndex))
                    || actual.Zip(expected[photo]).Any(p => Math.Abs(p.First.Probability - p.Second.Probability) > 1e-5f))
                {
                    lock (failures)
                    {
                        failures.Add($"thread {t}, {photo}");
                    }
                }
            }

            var batch = classifier.ClassifyMany(Photos.Select(PreprocessingFixtures.Image), 3).ToList();
            if (batch.Any(r => !r.Succeeded))
            {
                lock (failures)
                {
                    failures.Add($"thread {t}: batch failed");
                }
            }

            var leaked = DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
            if (leaked != 0)
            {
                lock (failures)
                {
                    failures.Add($"thread {t} left {leaked} tensors alive");
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        failures.Should().BeEmpty();
    }

    [Fact]
    public void Repeated_classification_leaves_no_tensor_alive()
    {
        using var classifier = GoldenModel.Classifier(batchSize: 4);
        var photo = PreprocessingFixtures.Image(Photos[0]);
        classifier.Classify(photo);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (var i = 0; i < 10; i++)
        {
            classifier.Classify(photo, 3);
        }

        classifier.ClassifyMany(Photos.Select(PreprocessingFixtures.Image).Append("missing.jpg"), 3).ToList();

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void A_1000_class_model_is_labelled_with_ImageNet_and_others_can_be_named()
    {
        using (var imagenet = new ImageClassifier(new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 7, numClasses: 1000)))
        {
            imagenet.Labels.Should().BeSameAs(ClassLabels.ImageNet1k);
            var top = imagenet.Classify(PreprocessingFixtures.Image("cat_landscape.jpg"), 1)[0];
            top.Label.Should().Be(ClassLabels.ImageNet1k[top.ClassIndex]);
        }

        string[] names = ["apple", "boat", "cloud", "dog", "egg", "fern", "goat", "hat", "ink", "jam"];
        using var custom = ImageClassifier.FromCheckpoint(GoldenModel.CheckpointPath, GoldenModel.Options() with { Labels = new ClassLabels(names) });
        var all = custom.Classify(PreprocessingFixtures.Image("coffee.webp"), 10);
        all.Select(p => p.ClassIndex).Should().BeEquivalentTo(Enumerable.Range(0, 10), "top 10 of 10 lists every class");
        foreach (var prediction in all)
        {
            prediction.Label.Should().Be(names[prediction.ClassIndex], $"class {prediction.ClassIndex} is named by the label {prediction.ClassIndex}");
        }
    }

    [Fact]
    public void Wrong_settings_are_rejected_with_the_reason()
    {
        var tooFewLabels = () => ImageClassifier.FromCheckpoint(GoldenModel.CheckpointPath, GoldenModel.Options() with { Labels = new ClassLabels(["a", "b"]) });
        tooFewLabels.Should().Throw<ArgumentException>().WithMessage("*10 classes but 2 labels*");

        var halfOnCpu = () => ImageClassifier.FromCheckpoint(GoldenModel.CheckpointPath, GoldenModel.Options(InferencePrecision.Float16));
        halfOnCpu.Should().Throw<NotSupportedException>().WithMessage("*CUDA*BFloat16*");

        var headless = () => new ImageClassifier(new ConvMixer(dim: 8, depth: 1, numClasses: 0));
        headless.Should().Throw<ArgumentException>().WithMessage("*no classifier*");

        var badCrop = () => ImageClassifier.FromCheckpoint(GoldenModel.CheckpointPath, GoldenModel.Options() with { DataConfig = new DataConfig { CropFraction = 1.5 } });
        badCrop.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*CropFraction*");

        using var classifier = GoldenModel.Classifier();
        var tooMany = () => classifier.Classify(PreprocessingFixtures.Image("coffee.webp"), topK: 11);
        tooMany.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*between 1 and the number of classes (10)*");
    }

    [Fact]
    public void A_disposed_classifier_says_so()
    {
        var classifier = GoldenModel.Classifier();
        classifier.Dispose();

        var act = () => classifier.Classify(PreprocessingFixtures.Image("coffee.webp"));

        act.Should().Throw<ObjectDisposedException>();
    }
}
