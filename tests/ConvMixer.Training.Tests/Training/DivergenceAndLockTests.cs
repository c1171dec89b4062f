using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

public class DivergenceAndLockTests
{
    private static readonly TrainerOptions Sane = new()
    {
        Epochs = 1,
        BatchSize = 16,
        LearningRate = 0.01,
        Data = DatasetStatistics.ForImages(1, 8, [0.4f], [0.3f]),
        Seed = 4,
    };

    [Fact]
    public void A_non_finite_loss_stops_the_run_and_leaves_the_last_good_epoch_as_it_was()
    {
        using var dir = new TemporaryDirectory();
        var train = SyntheticImages.Create(64, seed: 1);
        using var model = SyntheticImages.TinyModel(seed: 2);
        using (var first = new Trainer(model, Sane with { OutputDirectory = dir.Path }))
        {
            first.Fit(train);
        }

        var files = Directory.GetFiles(dir.Path).ToDictionary(f => f, File.ReadAllBytes);
        using var diverging = new Trainer(model, Sane with { Epochs = 3, LearningRate = 1e30, Schedule = ScheduleKind.Constant, OutputDirectory = dir.Path });
        diverging.Resume(Path.Combine(dir.Path, TrainingCheckpoint.FileName));

        var act = () => diverging.Fit(train);

        act.Should().Throw<TrainingDivergedException>().Which.Epoch.Should().Be(2);
        foreach (var (path, bytes) in files)
        {
            File.ReadAllBytes(path).Should().Equal(bytes, $"{Path.GetFileName(path)} of the last good epoch stays as it was");
        }
    }

    [Fact]
    public void A_run_folder_is_held_by_one_lock_at_a_time()
    {
        using var dir = new TemporaryDirectory();
        using (var held = RunFolderLock.Acquire(dir.Path))
        {
            var second = () => RunFolderLock.Acquire(dir.Path);

            second.Should().Throw<IOException>().WithMessage($"*{dir.Path}*in use*process {Environment.ProcessId}*");
            File.ReadAllText(Path.Combine(dir.Path, RunFolderLock.FileName)).Trim().Should().Be(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var again = RunFolderLock.Acquire(dir.Path);
        again.Folder.Should().Be(dir.Path);
    }
}
