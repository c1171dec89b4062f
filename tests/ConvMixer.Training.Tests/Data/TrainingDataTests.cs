using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class TrainingDataTests
{
    [Fact]
    public void An_idx_directory_gives_its_training_split_limited_and_its_test_split_for_validation()
    {
        using var dir = new TemporaryDirectory();
        var data = dir.File("quadrants");
        QuadrantImages.WriteIdxSplits(data);

        var loaded = TrainingData.Load(data, validationPath: null, imageSize: 32, limit: 5, idxClassNames: QuadrantImages.Classes, ImageFileDecoder.Default);

        loaded.Train.Count.Should().Be(5);
        loaded.Train.ClassNames.Should().Equal(QuadrantImages.Classes);
        loaded.Validation.Should().NotBeNull("the IDX test split validates");
        loaded.Validation!.Count.Should().BeGreaterThan(0);
        loaded.Description.Should().Be($"IDX files in {data}");
        TrainingData.IdxClassesFor(dir.File("fashion-mnist")).Should().Equal(IdxLoader.FashionMnistClasses);
        TrainingData.IdxClassesFor(data).Should().BeNull();
    }
}
