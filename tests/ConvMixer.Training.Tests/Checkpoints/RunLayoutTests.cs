using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>
/// A run folder is a model folder plus the trainer state: each epoch writes the weights and the description once
/// (model.safetensors, config.json), checkpoint.ckpt holds neither, and runs of earlier versions still resume exactly.
/// </summary>
public class RunLayoutTests
{
    // The options, data and initial weights of the format-3 run in Fixtures/earlier-versions/run-format3, written by the
    // previous version after the first of two epochs.
    private static readonly TrainerOptions Options = new()
    {
        Epochs = 2,
        BatchSize = 16,
        LearningRate = 0.02,
        LabelSmoothing = 0.1,
        GradientClipNorm = 1.0,
        Augmentation = new Augmentation(CropPadding: 1, HorizontalFlip: true),
        Seed = 5,
    };

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "earlier-versions", name);

    [Fact]
    public void Each_epoch_writes_the_weights_and_the_description_once_and_the_trainer_state_holds_neither()
    {
        using var dir = new TemporaryDirectory();
        using var model = SyntheticImages.TinyModel(seed: 3);
        using (var trainer = new Trainer(model, Options with { Epochs = 1, OutputDirectory = dir.Path }))
        {
            trainer.Fit(SyntheticImages.Create(32, seed: 1));
        }

        var state = File.ReadAllBytes(Path.Combine(dir.Path, TrainingCheckpoint.FileName));
        var weights = File.ReadAllBytes(Path.Combine(dir.Path, ModelFolder.SafetensorsFileName));
        var header = Header(Path.Combine(dir.Path, TrainingCheckpoint.FileName));
        header.Version.Should().Be(TrainingCheckpoint.FormatVersion);
        header.Json["config"].Should().BeNull("config.json is the run's one description");
        header.Json["model"].Should().BeNull();
        foreach (var (name, tensor) in model.state_dict().Where(p => p.Value.numel() >= 8))
        {
            var bytes = tensor.detach().contiguous().bytes.ToArray();
            Contains(weights, bytes).Should().BeTrue($"{name} is in model.safetensors");
            Contains(state, bytes).Should().BeFalse($"{name} is not written a second time into checkpoint.ckpt");
        }

        using var fromState = ConvMixer.FromCheckpoint(Path.Combine(dir.Path, TrainingCheckpoint.FileName));
        fromState.Config.Should().Be(model.Config, "checkpoint.ckpt still loads as the model of its run folder");
    }

    // The fixture was written on another machine; libtorch's kernels round differently per CPU (AVX-512 or AVX2), so
    // this machine's own run from the same start differs in the last bits after one epoch. What must hold everywhere:
    // the state is restored bit for bit, and continuing it in one go equals continuing it through a new-layout save.
    [Fact]
    public void A_format_3_run_of_the_previous_version_resumes_its_exact_state_and_is_rewritten_in_the_new_layout()
    {
        var train = SyntheticImages.Create(96, seed: 1);
        var validation = SyntheticImages.Create(32, seed: 2);
        using var dir = new TemporaryDirectory();
        string Copy(string name)
        {
            var run = Path.Combine(dir.Path, name);
            Directory.CreateDirectory(run);
            foreach (var file in Directory.GetFiles(Fixture("run-format3")))
            {
                File.Copy(file, Path.Combine(run, Path.GetFileName(file)));
            }

            return run;
        }

        var oneGo = Copy("one-go");
        var throughNewLayout = Copy("through-new-layout");
        Header(Path.Combine(oneGo, TrainingCheckpoint.FileName)).Version.Should().Be(3, "the fixture is the previous version's format");

        // Epochs 2 and 3 in one go; the restored weights are the previous version's, bit for bit.
        using var stored = ConvMixer.FromCheckpoint(Path.Combine(Fixture("run-format3"), ModelFolder.SafetensorsFileName));
        using var straight = Resume(oneGo, train, validation, stopAfterOneEpoch: false, restored: stored);

        // Epoch 2, saved in the new layout; then epoch 3 from that save.
        using (Resume(throughNewLayout, train, validation, stopAfterOneEpoch: true))
        {
        }

        Header(Path.Combine(throughNewLayout, TrainingCheckpoint.FileName)).Version.Should().Be(TrainingCheckpoint.FormatVersion, "the next save writes the new layout");
        TrainingCheckpoint.ReadState(Path.Combine(throughNewLayout, TrainingCheckpoint.FileName)).CompletedEpochs.Should().Be(2);
        using var continued = Resume(throughNewLayout, train, validation, stopAfterOneEpoch: false);

        var expected = straight.state_dict();
        foreach (var (name, tensor) in continued.state_dict())
        {
            tensor.eq(expected[name]).all().item<bool>().Should().BeTrue($"{name} is bit-identical to the run continued in one go");
        }
    }

    // Resumes the run in `folder` into a freshly seeded model and trains it to epoch 3 (or one epoch more).
    private static ConvMixer Resume(string folder, ImageDataset train, ImageDataset validation, bool stopAfterOneEpoch, ConvMixer? restored = null)
    {
        torch.random.manual_seed(999); // a fresh process would start from another RNG state
        var model = new ConvMixer(new ConvMixerConfig(8, 1, 3, 2, 4, 1), dropRate: 0.2);
        using var trainer = new Trainer(model, Options with { Epochs = 3, OutputDirectory = folder });
        trainer.Resume(Path.Combine(folder, TrainingCheckpoint.FileName));
        if (restored is not null)
        {
            var weights = restored.state_dict();
            foreach (var (name, tensor) in model.state_dict())
            {
                tensor.eq(weights[name]).all().item<bool>().Should().BeTrue($"{name} is restored bit for bit from the previous version's run");
            }
        }

        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress<TrainingProgress>(p =>
        {
            if (stopAfterOneEpoch && p.Phase == TrainingPhase.EpochCompleted)
            {
                cancel.Cancel();
            }
        });
        if (stopAfterOneEpoch)
        {
            FluentActions.Invoking(() => trainer.Fit(train, validation, progress, cancel.Token)).Should().Throw<OperationCanceledException>();
        }
        else
        {
            trainer.Fit(train, validation, progress, cancel.Token);
        }

        return model;
    }

    [Fact]
    public void A_format_2_run_of_an_earlier_version_reads_its_state_and_architecture()
    {
        var state = TrainingCheckpoint.ReadState(Fixture("run-format2/checkpoint.ckpt"));

        state.ModelConfig.Should().Be(new ConvMixerConfig(8, 1, 3, 2, 2, 3, Activation.Gelu, ResidualPlacement.AroundSpatialMixing));
        state.ClassNames.Should().Equal("cats", "dogs");
        state.CompletedEpochs.Should().Be(1);
    }

    [Fact]
    public void Weights_that_are_not_the_trainer_states_are_refused_on_resume()
    {
        using var dir = new TemporaryDirectory();
        using var model = SyntheticImages.TinyModel(seed: 3);
        using (var trainer = new Trainer(model, Options with { Epochs = 1, OutputDirectory = dir.Path }))
        {
            trainer.Fit(SyntheticImages.Create(32, seed: 1));
        }

        using (var other = SyntheticImages.TinyModel(seed: 9))
        {
            other.Pretrained = model.Pretrained;
            ModelFolder.Save(other, dir.Path);
        }

        using var fresh = SyntheticImages.TinyModel(seed: 4);
        using var resumed = new Trainer(fresh, Options);
        FluentActions.Invoking(() => resumed.Resume(Path.Combine(dir.Path, TrainingCheckpoint.FileName)))
            .Should().Throw<InvalidCheckpointException>().WithMessage("*model.safetensors is not the one this trainer state was written with*--force*");
    }

    [Fact]
    public void A_crash_between_the_writes_of_an_epoch_resumes_from_the_last_committed_trainer_state()
    {
        var train = SyntheticImages.Create(32, seed: 1);
        using var dir = new TemporaryDirectory();
        var straight = Path.Combine(dir.Path, "straight");
        using var model = SyntheticImages.TinyModel(seed: 3);
        using (var trainer = new Trainer(model, Options with { Epochs = 1, OutputDirectory = straight }))
        {
            trainer.Fit(train);
        }

        // After the commit: the trainer state is the epoch's, its weights still staged, the folder's from before.
        var committed = Path.Combine(dir.Path, "committed");
        Copy(straight, committed);
        var staging = Path.Combine(committed, TrainingCheckpoint.StagingFolderName);
        Directory.CreateDirectory(staging);
        foreach (var name in new[] { ModelFolder.SafetensorsFileName, ModelFolder.ConfigFileName })
        {
            File.Copy(Path.Combine(committed, name), Path.Combine(staging, name));
        }

        using (var before = SyntheticImages.TinyModel(seed: 3))
        {
            before.Pretrained = model.Pretrained;
            ModelFolder.Save(before, committed);
        }

        // Before the commit: the next epoch's weights staged, never committed.
        var uncommitted = Path.Combine(dir.Path, "uncommitted");
        Copy(straight, uncommitted);
        using (var next = SyntheticImages.TinyModel(seed: 8))
        {
            next.Pretrained = model.Pretrained;
            ModelFolder.Save(next, Path.Combine(uncommitted, TrainingCheckpoint.StagingFolderName));
        }

        foreach (var run in new[] { committed, uncommitted })
        {
            using var resumed = SyntheticImages.TinyModel(seed: 4);
            using var trainer = new Trainer(resumed, Options with { Epochs = 1 });
            trainer.Resume(Path.Combine(run, TrainingCheckpoint.FileName)).CompletedEpochs.Should().Be(1);
            var expected = model.state_dict();
            foreach (var (name, tensor) in resumed.state_dict())
            {
                tensor.eq(expected[name]).all().item<bool>().Should().BeTrue($"{name} of {Path.GetFileName(run)} is the committed epoch's");
            }

            Directory.Exists(Path.Combine(run, TrainingCheckpoint.StagingFolderName)).Should().BeFalse("the staging folder is resolved");
            File.ReadAllBytes(Path.Combine(run, ModelFolder.SafetensorsFileName)).Should().Equal(File.ReadAllBytes(Path.Combine(straight, ModelFolder.SafetensorsFileName)));
        }
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static (int Version, JsonObject Json) Header(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        reader.ReadString().Should().Be("ConvMixer.Training checkpoint");
        var version = reader.ReadInt32();
        return (version, JsonNode.Parse(reader.ReadString())!.AsObject());
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
