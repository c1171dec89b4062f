using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>Loading and saving, successful or not, leave no tensor alive but the model's own.</summary>
public class CheckpointMemoryTests
{
    private static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("model.pth")]
    [InlineData("model.dat")]
    public void Repeated_saves_loads_and_failed_loads_leave_no_tensor_alive(string fileName)
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File(fileName);
        var truncated = folder.File("truncated-" + fileName);
        using var model = new ConvMixer(dim: 8, depth: 2, kernelSize: 3, patchSize: 2, numClasses: 4);
        model.SaveCheckpoint(path);
        File.WriteAllBytes(truncated, File.ReadAllBytes(path)[..200]);
        model.LoadCheckpoint(path);

        var before = LiveTensors;
        for (var i = 0; i < 10; i++)
        {
            model.SaveCheckpoint(path);
            model.LoadCheckpoint(path);
            model.LoadCheckpoint(path, new CheckpointLoadOptions { Strict = false });
            Action failing = () => model.LoadCheckpoint(truncated);
            failing.Should().Throw<InvalidCheckpointException>();
        }

        LiveTensors.Should().Be(before);
    }

    [Theory]
    [InlineData("training_checkpoint.pth.tar")] // its optimizer state and EMA weights must be freed too
    [InlineData("caseA_float16.pth")]
    public void FromCheckpoint_leaves_no_more_alive_than_building_and_disposing_the_model(string file)
    {
        var path = CheckpointFixtures.File(file);
        ConvMixerConfig config;
        using (var warmUp = ConvMixer.FromCheckpoint(path))
        {
            config = warmUp.Config;
        }

        var before = LiveTensors;
        using (var built = new ConvMixer(config))
        {
        }

        var byConstruction = LiveTensors - before;
        before = LiveTensors;
        using (var loaded = ConvMixer.FromCheckpoint(path))
        {
        }

        (LiveTensors - before).Should().Be(byConstruction);
    }
}
