using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Cli.Tests;

/// <summary>Every option of <c>convmixer train</c> has its role on resume in Training's one table, and the table names no option the command lacks.</summary>
public class TrainOptionRolesTests
{
    [Fact]
    public void Every_train_option_has_exactly_one_resume_role()
    {
        var help = ConvMixerTool.Run("train", "--help");
        help.ExitCode.Should().Be(0, help.ToString());
        var options = help.Output.Split('\n')
            .Select(line => Regex.Match(line, @"^\s+(?:-\S+, )*(--[a-z][a-z-]*)"))
            .Where(m => m.Success && m.Groups[1].Value != "--help")
            .Select(m => m.Groups[1].Value)
            .ToList();
        var rules = ResumeCompatibility.Rules.Select(r => r.Option).ToList();

        options.Should().Contain(["--data", "--lr", "--epochs", "--model-ema-warmup"], "the help lists the options");
        rules.Should().OnlyHaveUniqueItems();
        rules.Should().BeEquivalentTo(options);
    }
}
