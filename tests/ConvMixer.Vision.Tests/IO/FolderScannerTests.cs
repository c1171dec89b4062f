using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Vision.Tests;

/// <summary>Folders as users leave them: link loops, links to files and folders, FIFOs, names that are not UTF-8.</summary>
public class FolderScannerTests
{
    private static readonly IReadOnlySet<string> Png = new HashSet<string>([".png"], StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Link_loops_end_and_every_real_file_is_listed_once_in_a_stable_order()
    {
        using var dir = new TemporaryDirectory();
        var loop = Directory.CreateDirectory(dir.File("loop")).FullName;
        var sub = Directory.CreateDirectory(Path.Combine(loop, "sub")).FullName;
        File.WriteAllBytes(Path.Combine(sub, "a.png"), [1]);
        File.WriteAllBytes(Path.Combine(loop, "b.png"), [2]);
        File.CreateSymbolicLink(Path.Combine(sub, "same.png"), Path.Combine(sub, "a.png"));
        Directory.CreateSymbolicLink(Path.Combine(sub, "up"), "..");
        Directory.CreateSymbolicLink(Path.Combine(loop, "self"), "../loop");

        var scan = FolderScanner.FindFiles(loop, Png);

        scan.Files.Should().HaveCount(2);
        scan.Files.Select(f => File.ReadAllBytes(f)[0]).Order().Should().Equal(1, 2);
        scan.Files.Should().BeInAscendingOrder(StringComparer.Ordinal);
        scan.Problems.Should().BeEmpty();
        FolderScanner.FindFiles(loop, Png).Files.Should().Equal(scan.Files, "the result does not depend on chance");
    }

    [Fact]
    public void A_link_to_a_folder_outside_is_followed_but_never_into_a_folder_to_skip()
    {
        using var dir = new TemporaryDirectory();
        var cat = Directory.CreateDirectory(dir.File("cat")).FullName;
        var bird = Directory.CreateDirectory(dir.File("bird")).FullName;
        var extra = Directory.CreateDirectory(dir.File("extra")).FullName;
        File.WriteAllBytes(Path.Combine(cat, "c.png"), [1]);
        File.WriteAllBytes(Path.Combine(bird, "b.png"), [2]);
        File.WriteAllBytes(Path.Combine(extra, "e.png"), [3]);
        Directory.CreateSymbolicLink(Path.Combine(bird, "cats"), cat);
        Directory.CreateSymbolicLink(Path.Combine(bird, "more"), extra);

        var scan = FolderScanner.FindFiles(bird, Png, skipFolders: [cat]);

        scan.Files.Select(Path.GetFileName).Should().Equal("b.png", "e.png");
    }

    [Fact]
    public void Names_that_are_not_UTF8_are_reported_not_dropped_and_special_files_are_listed_for_the_reader_to_refuse()
    {
        using var dir = new TemporaryDirectory();
        NativeFiles.CreateFileWithRawName(dir.Path, [(byte)'b', (byte)'a', (byte)'d', 0xff, (byte)'.', (byte)'p', (byte)'n', (byte)'g'], [1]);
        NativeFiles.CreateFolderWithRawName(dir.Path, [(byte)'d', 0xfe]);
        NativeFiles.CreateFifo(dir.File("pipe.png"));
        File.WriteAllBytes(dir.File("good.png"), [1]);

        var scan = FolderScanner.FindFiles(dir.Path, Png);

        scan.Files.Select(Path.GetFileName).Should().Equal("good.png", "pipe.png");
        scan.Problems.Should().HaveCount(2);
        scan.Problems.Should().OnlyContain(p => p.Reason.Contains("not valid UTF-8"));
        scan.Problems.Should().Contain(p => p.Reason.Contains("folder"));
    }
}
