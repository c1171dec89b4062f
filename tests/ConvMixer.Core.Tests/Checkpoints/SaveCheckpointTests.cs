using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>Saving in every format and reading it back: same weights, same outputs, same hyperparameters.</summary>
public class SaveCheckpointTests
{
    [Theory]
    [InlineData("model.safetensors", CheckpointFormat.Safetensors)]
    [InlineData("model.pth", CheckpointFormat.PyTorch)]
    [InlineData("model.bin", CheckpointFormat.PyTorch)]
    [InlineData("model.dat", CheckpointFormat.TorchSharp)]
    public void Every_format_round_trips_the_reference_model_exactly(string fileName, CheckpointFormat format)
    {
        var golden = GoldenCase.Load("caseC");
        using var folder = new TemporaryDirectory();
        var path = folder.File(fileName);
        using var original = golden.BuildModel();

        original.SaveCheckpoint(path);
        using var loaded = ConvMixer.FromCheckpoint(path);

        loaded.Config.Should().Be(original.Config);
        using var snapshot = new StateSnapshot(original);
        snapshot.ShouldEqual(loaded);
        loaded.LoadCheckpoint(path).Format.Should().Be(format);
        using var input = golden.Input;
        using var _ = torch.no_grad();
        using var logits = loaded.forward(input);
        logits.ShouldBeClose(golden.Logits);
    }

    [Theory]
    [InlineData("model.weights", CheckpointFormat.Safetensors)]
    [InlineData("model.weights", CheckpointFormat.PyTorch)]
    [InlineData("model.weights", CheckpointFormat.TorchSharp)]
    public void The_format_is_detected_from_the_content_not_the_extension(string fileName, CheckpointFormat format)
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File(fileName);
        using var original = new ConvMixer(dim: 8, depth: 2, kernelSize: 3, patchSize: 2, numClasses: 4);

        original.SaveCheckpoint(path, format);
        using var loaded = new ConvMixer(original.Config);

        loaded.LoadCheckpoint(path).Format.Should().Be(format);
        using var snapshot = new StateSnapshot(original);
        snapshot.ShouldEqual(loaded);
    }

    [Fact]
    public void Safetensors_metadata_restores_the_activation_and_residual_placement()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("relu.safetensors");
        var config = new ConvMixerConfig(Dim: 8, Depth: 2, KernelSize: 3, PatchSize: 2, NumClasses: 4, InChannels: 1,
            Activation: Activation.Relu, ResidualPlacement: ResidualPlacement.AroundLayer);
        using (var original = new ConvMixer(config))
        {
            original.SaveCheckpoint(path);
        }

        using var loaded = ConvMixer.FromCheckpoint(path);

        loaded.Config.Should().Be(config);
    }

    [Fact]
    public void Strict_load_refuses_a_checkpoint_whose_metadata_names_another_activation()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("relu.safetensors");
        using (var relu = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 2, activation: Activation.Relu))
        {
            relu.SaveCheckpoint(path);
        }

        using var gelu = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 2);

        var act = () => gelu.LoadCheckpoint(path);

        act.Should().Throw<CheckpointMismatchException>().WithMessage("*relu.safetensors*activation is Relu, but the model uses Gelu*Activation.Relu*");
    }

    [Fact]
    public void The_published_ReLU_architecture_is_recognised_from_its_shapes_when_the_file_has_no_metadata()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("convmixer_768_32.pth");
        using (var model = new ConvMixer(ConvMixerPresets.ConvMixer768_32 with { NumClasses = 2 }))
        {
            model.SaveCheckpoint(path); // .pth carries no metadata, like timm's own files
        }

        using var loaded = ConvMixer.FromCheckpoint(path);

        loaded.Config.Should().Be(ConvMixerPresets.ConvMixer768_32 with { NumClasses = 2 });
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_file_untouched_and_no_temporary_file()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("model.safetensors");
        File.WriteAllText(path, "previous content");

        var act = () => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1000]);
            throw new IOException("disk full (simulated)");
        });

        act.Should().Throw<IOException>().WithMessage("disk full*");
        File.ReadAllText(path).Should().Be("previous content");
        Directory.GetFiles(folder.Path).Should().Equal(path);
    }

    [Fact]
    public void Saving_replaces_an_existing_file_whole()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("model.pth");
        File.WriteAllBytes(path, new byte[1 << 20]);
        using var model = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 2);

        model.SaveCheckpoint(path);

        using var loaded = ConvMixer.FromCheckpoint(path);
        using var snapshot = new StateSnapshot(model);
        snapshot.ShouldEqual(loaded);
        Directory.GetFiles(folder.Path).Should().Equal(path);
    }

    [Fact]
    public void An_unknown_extension_without_a_format_is_refused_with_the_choices()
    {
        using var model = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 2);

        var act = () => model.SaveCheckpoint("model.weights");

        act.Should().Throw<ArgumentException>().WithMessage("*model.weights*.safetensors*CheckpointFormat*");
    }

    [Fact]
    public void Saving_into_a_missing_folder_names_it()
    {
        using var model = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 2);

        var act = () => model.SaveCheckpoint(Path.Combine("no-such-folder", "model.safetensors"));

        act.Should().Throw<DirectoryNotFoundException>().WithMessage("*no-such-folder*");
    }

    [Fact]
    public void A_model_without_classifier_round_trips_with_zero_classes()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("features.safetensors");
        using var model = new ConvMixer(dim: 8, depth: 2, kernelSize: 3, patchSize: 2, numClasses: 0);

        model.SaveCheckpoint(path);
        using var loaded = ConvMixer.FromCheckpoint(path);

        loaded.NumClasses.Should().Be(0);
    }
}
