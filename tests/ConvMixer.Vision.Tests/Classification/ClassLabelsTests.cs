using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

public class ClassLabelsTests
{
    [Fact]
    public void ImageNet_labels_are_the_1000_standard_names_in_order()
    {
        var labels = ClassLabels.ImageNet1k;

        labels.Should().HaveCount(1000).And.OnlyHaveUniqueItems();
        labels[0].Should().Be("tench");
        labels[1].Should().Be("goldfish");
        labels[281].Should().Be("tabby");
        labels[285].Should().Be("Egyptian cat");
        labels[999].Should().Be("toilet tissue");
    }

    [Fact]
    public void Label_files_hold_one_name_per_line()
    {
        var path = TempFile.With("cat\n dog \nbird\n\n"u8.ToArray(), ".txt");

        ClassLabels.FromFile(path).Should().Equal("cat", "dog", "bird");
    }

    [Fact]
    public void A_blank_line_between_names_is_an_error()
    {
        var path = TempFile.With("cat\n\ndog\n"u8.ToArray(), ".txt");

        var act = () => ClassLabels.FromFile(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*Line 2*blank*");
    }
}
