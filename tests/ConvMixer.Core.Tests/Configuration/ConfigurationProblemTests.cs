using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>Configurations report what is wrong as data, so callers show the sentences without parsing exception messages.</summary>
public class ConfigurationProblemTests
{
    [Fact]
    public void A_data_config_lists_every_problem_and_Validate_throws_the_first()
    {
        var data = DataConfig.ImageNet with { CropFraction = 1.5, Mean = [0.5f], Std = [0.2f, 0f, 0.2f] };

        var problems = data.Problems();

        problems.Select(p => p.Field).Should().Equal("CropFraction", "Mean", "Std");
        problems.Select(p => p.Message).Should().Equal(
            "CropFraction must be in (0, 1].",
            "Mean needs 3 value(s), one per input channel, but has 1.",
            "Std[1] must be a positive number.");
        data.Invoking(d => d.Validate()).Should().Throw<ArgumentOutOfRangeException>()
            .Which.ParamName.Should().Be("CropFraction");
        DataConfig.ImageNet.Problems().Should().BeEmpty();
    }

    [Fact]
    public void A_pretrained_config_names_the_fields_that_do_not_fit_the_architecture()
    {
        var architecture = new ConvMixerConfig(8, 1, 3, 2, NumClasses: 2, InChannels: 1);
        var pretrained = new PretrainedConfig { Data = DataConfig.ImageNet, LabelNames = new ClassLabels(["a", "b", "c"]) };

        var problems = pretrained.ProblemsFor(architecture);

        problems.Should().Equal(
            new ConfigurationProblem("Data.InChannels", "Data.InChannels is 3, but the model takes 1-channel images."),
            new ConfigurationProblem("LabelNames", "LabelNames has 3 names, but the model has 2 classes."));
        problems.Should().OnlyContain(p => !p.Message.Contains("(Parameter", StringComparison.Ordinal));
        pretrained.Invoking(p => p.ValidateFor(architecture)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Data");
    }

    [Fact]
    public void Overrides_report_the_problems_of_the_configuration_they_would_make()
    {
        var overrides = new DataConfigOverrides { Mean = [0.1f, 0.2f] };

        overrides.ProblemsWith(DataConfig.ImageNet).Should().ContainSingle()
            .Which.Should().Be(new ConfigurationProblem("Mean", "Mean needs 3 value(s), one per input channel, but has 2."));
        new DataConfigOverrides { Mean = [0.1f, 0.2f, 0.3f] }.ProblemsWith(DataConfig.ImageNet).Should().BeEmpty();
    }
}
