using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Hub.Tests;

public sealed class HubReferenceTests
{
    [Theory]
    [InlineData("hf-hub:timm/convmixer_768_32.in1k", "timm/convmixer_768_32.in1k", "main")]
    [InlineData("HF-HUB:timm/convmixer_768_32.in1k@v1.0", "timm/convmixer_768_32.in1k", "v1.0")]
    [InlineData("hf_hub:org/name@refs/pr/1", "org/name", "refs/pr/1")]
    [InlineData("hf-hub:gpt2@0123456789abcdef0123456789abcdef01234567", "gpt2", "0123456789abcdef0123456789abcdef01234567")]
    public void Parses_timms_references(string text, string repoId, string revision)
    {
        var reference = HubReference.Parse(text);

        reference.RepoId.Should().Be(repoId);
        reference.Revision.Should().Be(revision);
        HubReference.Parse(reference.ToString()).Should().Be(reference);
    }

    [Theory]
    [InlineData("timm/convmixer_768_32.in1k", "not a hub reference")]
    [InlineData("hf-hub:", "not a hub reference")]
    [InlineData("hf-hub:org/name@", "not a hub reference")]
    [InlineData("hf-hub:org/name@a@b", "at most one '@'")]
    [InlineData("hf-hub:a/b/c", "'name' or 'namespace/name'")]
    [InlineData("hf-hub:../etc", "letters, digits")]
    [InlineData("hf-hub:org/..", "letters, digits")]
    [InlineData("hf-hub:org--x/name", "'--' or '..'")]
    [InlineData("hf-hub:org/na..me", "'--' or '..'")]
    [InlineData("hf-hub:org/name.git", "'.git'")]
    [InlineData("hf-hub:org/na me", "letters, digits")]
    [InlineData("hf-hub:org/name\n", "letters, digits")]
    [InlineData("hf-hub:org/name@../../x", "no part empty or starting with '.'")]
    [InlineData("hf-hub:org/name@/abs", "no part empty or starting with '.'")]
    [InlineData("hf-hub:org/name@main\n", "no part empty or starting with '.'")]
    [InlineData("hf-hub:org/name@a\\b", "no part empty or starting with '.'")]
    public void Refuses_what_could_become_a_bad_path_with_a_message(string text, string message)
    {
        var parse = () => HubReference.Parse(text);

        parse.Should().Throw<FormatException>().WithMessage($"*{message}*");
        HubReference.TryParse(text, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("config.json", null)]
    [InlineData("sub/model.safetensors", null)]
    [InlineData("../x", "'..'")]
    [InlineData("/etc/passwd", "not empty")]
    [InlineData("a//b", "not empty")]
    [InlineData("C:\\x", "backslashes, colons")]
    [InlineData("C:x", "backslashes, colons")]
    [InlineData(".hidden", "do not start with '.'")]
    public void File_names_are_relative_paths_inside_the_repository(string name, string? problem)
    {
        var found = HubNames.FileNameProblem(name);

        if (problem is null)
        {
            found.Should().BeNull();
        }
        else
        {
            found.Should().Contain(problem);
        }
    }

    [Theory]
    [InlineData("\"4c4a2e0fd3ab29c3e4f1b6b04c38a6bf0a64ed7ac2e1f7d9c1d2d4b0c6a7e8f9\"", true)]
    [InlineData("W/\"0123456789abcdef0123456789abcdef01234567\"", true)]
    [InlineData("\"../../x\"", false)]
    [InlineData("\"abc.incomplete\"", false)]
    [InlineData("\"a/b\"", false)]
    [InlineData("\"\"", false)]
    public void Etags_name_blobs_only_when_they_are_plain_names(string header, bool safe)
    {
        HubNames.IsSafeEtag(HubNames.NormalizeEtag(header)).Should().Be(safe);
    }
}
