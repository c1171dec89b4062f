using System.Text.Json;
using ConvMixerNet.Core;
using ConvMixerNet.Tools;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// The last run of tools/timm/check_our_folder.py (Fixtures/timm-check/results.json: timm loaded folders written by
/// <see cref="ModelFolder.Save"/> and agreed with us) still describes today's writer: the same cases, written again,
/// give byte for byte the config.json, model.safetensors and pytorch_model.bin timm was checked with. When this fails,
/// rerun the check (tools/timm/README.md).
/// </summary>
public class TimmCheckRecordTests
{
    private static readonly JsonElement Results = LoadResults();

    // The BatchNorm statistics the folders were written with (tools/timm/WriteModelFolders measures and stores them).
    private static readonly string StatisticsFolder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "timm-check", "statistics");

    [Fact]
    public void The_recorded_timm_check_passed_for_every_case()
    {
        var folders = Results.GetProperty("folders").EnumerateArray().ToList();

        folders.Select(f => f.GetProperty("name").GetString()).Should().Equal(CheckedFolders.Names);
        foreach (var folder in folders)
        {
            var name = folder.GetProperty("name").GetString();
            folder.GetProperty("ok").GetBoolean().Should().BeTrue(name);
            folder.GetProperty("data_config_differences").GetArrayLength().Should().Be(0, name);
            folder.GetProperty("label_names_equal").GetBoolean().Should().BeTrue(name);
            folder.GetProperty("logits_max_abs_diff").GetDouble().Should().BeLessThanOrEqualTo(1e-5, name);
            folder.GetProperty("published").GetBoolean().Should().Be(CheckedFolders.IsPublished(name!), name);
            folder.GetProperty("loaded_with").GetString().Should().StartWith(CheckedFolders.IsPublished(name!) ? "timm.create_model('local-dir:" : "docs/timm-interop.md", name);
        }
    }

    [Fact]
    public void Todays_writer_writes_the_files_timm_was_checked_with()
    {
        using var directory = new TemporaryDirectory();
        foreach (var folder in Results.GetProperty("folders").EnumerateArray())
        {
            var name = folder.GetProperty("name").GetString()!;
            using var model = CheckedFolders.Build(name, StatisticsFolder);

            var written = CheckedFolders.Write(model, name, directory.Path);

            foreach (var (file, recordKey, hash) in RecordedFiles)
            {
                hash(Path.Combine(written, file)).Should().Be(
                    folder.GetProperty(recordKey).GetString(), $"{name}'s {file} must be the one timm was checked with; rerun tools/timm/check_our_folder.py");
            }

            Directory.Delete(written, recursive: true);
        }
    }

    // What ModelFolder.Save writes (with the PyTorch weights), the key of its digest in results.json, and the digest.
    private static readonly (string File, string RecordKey, Func<string, string> Hash)[] RecordedFiles =
    [
        (ModelFolder.ConfigFileName, "config_json_sha256", FileHashes.Sha256),
        (ModelFolder.SafetensorsFileName, "model_safetensors_sha256", FileHashes.Sha256),
        (ModelFolder.PyTorchFileName, "pytorch_model_bin_entries_sha256", FileHashes.ZipEntriesSha256),
    ];

    private static JsonElement LoadResults()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "timm-check", "results.json")));
        return doc.RootElement.Clone();
    }
}
