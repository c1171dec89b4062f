using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>Loading the reference .pth files (written by torch.save from timm and the official implementation).</summary>
public class FromCheckpointTests
{
    [Theory]
    [InlineData("caseA")]
    [InlineData("caseC")]
    [InlineData("caseF")] // official repository's flat keys
    public void Logits_match_the_reference_after_loading_its_pth(string caseName)
    {
        var golden = GoldenCase.Load(caseName);
        using var model = ConvMixer.FromCheckpoint(golden.PthPath);
        using var input = golden.Input;
        using var expected = golden.Logits;
        using var _ = torch.no_grad();

        using var logits = model.forward(input);

        logits.ShouldBeClose(expected);
    }

    [Theory]
    [InlineData("caseA")]
    [InlineData("caseC")]
    [InlineData("caseF")]
    public void Hyperparameters_are_inferred_from_the_shapes(string caseName)
    {
        var golden = GoldenCase.Load(caseName);
        using var model = ConvMixer.FromCheckpoint(golden.PthPath);

        model.Config.Should().Be(golden.Config);
        model.training.Should().BeFalse("a loaded model is ready for inference");
    }

    [Fact]
    public void LoadCheckpoint_fills_an_existing_model_and_reports_every_key()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = new ConvMixer(golden.Config);
        model.eval();

        var result = model.LoadCheckpoint(golden.PthPath);

        result.Format.Should().Be(CheckpointFormat.PyTorch);
        result.LoadedKeys.Should().BeEquivalentTo(model.state_dict().Keys);
        result.MissingKeys.Should().BeEmpty();
        result.UnexpectedKeys.Should().BeEmpty();
        using var input = golden.Input;
        using var _ = torch.no_grad();
        using var logits = model.forward(input);
        logits.ShouldBeClose(golden.Logits);
    }

    [Fact]
    public void Strict_load_lists_every_missing_and_unexpected_key_and_shape_mismatch_with_the_file_name()
    {
        var golden = GoldenCase.Load("caseA"); // dim 32, depth 2, kernel 5, 10 classes
        using var model = new ConvMixer(dim: 32, depth: 3, kernelSize: 7, patchSize: 4, numClasses: 10);
        using var before = new StateSnapshot(model);

        var act = () => model.LoadCheckpoint(golden.PthPath);

        var error = act.Should().Throw<CheckpointMismatchException>().Which;
        error.Message.Should().Contain("caseA.pth");
        error.MissingKeys.Should().Contain(["blocks.2.0.fn.0.weight", "blocks.2.3.running_var"]);
        error.MissingKeys.Should().NotContain(k => k.EndsWith("num_batches_tracked"), "old checkpoints lack them, as PyTorch tolerates");
        error.ShapeMismatches.Should().Contain("blocks.0.0.fn.0.weight: expected [32, 1, 7, 7] (model), found [32, 1, 5, 5] (checkpoint)");
        error.ShapeMismatches.Should().Contain(m => m.StartsWith("blocks.1.0.fn.0.weight:"));
        error.Message.Should().Contain("blocks.2.0.fn.0.weight").And.Contain("[32, 1, 5, 5]");
        before.ShouldEqual(model);
    }

    [Fact]
    public void Unexpected_keys_are_listed_and_nothing_is_loaded()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = new ConvMixer(golden.Config with { Depth = 1 });
        using var before = new StateSnapshot(model);

        var act = () => model.LoadCheckpoint(golden.PthPath);

        act.Should().Throw<CheckpointMismatchException>().Which.UnexpectedKeys
            .Should().Contain(["blocks.1.0.fn.0.weight", "blocks.1.1.bias", "blocks.1.3.num_batches_tracked"]);
        before.ShouldEqual(model);
    }

    [Fact]
    public void A_different_class_count_fails_strictly_with_a_hint_and_loads_all_but_the_head_when_not_strict()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = new ConvMixer(golden.Config with { NumClasses = 4 });
        using var head = model.state_dict()["head.weight"].clone();

        var strict = () => model.LoadCheckpoint(golden.PthPath);
        strict.Should().Throw<CheckpointMismatchException>().WithMessage("*10 classes*Strict = false*");

        var result = model.LoadCheckpoint(golden.PthPath, new CheckpointLoadOptions { Strict = false });

        result.SkippedKeys.Should().BeEquivalentTo("head.weight", "head.bias");
        model.state_dict()["head.weight"].Identical(head).Should().BeTrue("the fresh classifier stays");
        using var reference = golden.BuildModel();
        model.state_dict()["blocks.1.0.fn.0.weight"].Identical(reference.state_dict()["blocks.1.0.fn.0.weight"]).Should().BeTrue();
    }

    [Fact]
    public void FromCheckpoint_with_another_class_count_gives_the_reference_features_and_a_fresh_classifier()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = ConvMixer.FromCheckpoint(golden.PthPath, new CheckpointLoadOptions { NumClasses = 3 });
        using var input = golden.Input;
        using var _ = torch.no_grad();

        model.NumClasses.Should().Be(3);
        using var logits = model.forward(input);
        logits.shape.Should().Equal(2, 3);
        using var features = model.ForwardFeatures(input);
        using var pooled = model.ForwardHead(features, preLogits: true);
        pooled.ShouldBeClose(golden.PreLogits);
    }

    [Fact]
    public void FromCheckpoint_can_drop_the_classifier_or_add_one_to_a_checkpoint_without()
    {
        var golden = GoldenCase.Load("caseA");
        using var folder = new TemporaryDirectory();
        var headless = folder.File("features.safetensors");

        using (var features = ConvMixer.FromCheckpoint(golden.PthPath, new CheckpointLoadOptions { NumClasses = 0 }))
        {
            features.NumClasses.Should().Be(0);
            features.SaveCheckpoint(headless);
        }

        using var withHead = ConvMixer.FromCheckpoint(headless, new CheckpointLoadOptions { NumClasses = 6 });

        withHead.NumClasses.Should().Be(6);
        using var input = golden.Input;
        using var _ = torch.no_grad();
        using var pooled = withHead.ForwardHead(withHead.ForwardFeatures(input), preLogits: true);
        pooled.ShouldBeClose(golden.PreLogits);
    }

    [Fact]
    public void Non_strict_still_refuses_shape_mismatches_outside_the_classifier()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = new ConvMixer(golden.Config with { KernelSize = 3 });
        using var before = new StateSnapshot(model);

        var act = () => model.LoadCheckpoint(golden.PthPath, new CheckpointLoadOptions { Strict = false });

        act.Should().Throw<CheckpointMismatchException>().Which.ShapeMismatches.Should().HaveCount(2);
        before.ShouldEqual(model);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var act = () => ConvMixer.FromCheckpoint("no-such-checkpoint.safetensors");

        act.Should().Throw<FileNotFoundException>().WithMessage("*no-such-checkpoint.safetensors*");
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void Half_precision_checkpoints_load_into_float32_models_by_explicit_conversion(ScalarType halfType)
    {
        var golden = GoldenCase.Load("caseA");
        using var folder = new TemporaryDirectory();
        var path = folder.File("half.safetensors");
        using (var reference = golden.BuildModel())
        {
            reference.to(halfType);
            reference.SaveCheckpoint(path);
        }

        using var model = ConvMixer.FromCheckpoint(path);

        using var expected = golden.BuildModel();
        model.ShouldHoldTheRoundedValuesOf(expected, halfType);
        // Second line: the rounded weights move the logits by at most this much (weights, not arithmetic, are rounded).
        using var input = golden.Input;
        using var _ = torch.no_grad();
        using var logits = model.forward(input);
        var tolerance = halfType == ScalarType.Float16 ? 0.05 : 0.3;
        logits.ShouldBeClose(golden.Logits, atol: tolerance, rtol: tolerance);
    }

    [Fact]
    public void A_preset_supplies_the_activation_the_shapes_cannot_show()
    {
        // ConvMixer-768/32's shapes as the architecture is read from them (the patch embedding and the 32 depthwise
        // kernels: 5 MB, not the whole model's 85), loaded non-strictly so the other weights keep their initialisation.
        using var folder = new TemporaryDirectory();
        var bare = folder.File("shapes_768_32.safetensors");
        var saysGelu = folder.File("shapes_768_32_gelu.safetensors");
        var weights = WriteShapesOf768_32(bare, new Dictionary<string, string>());
        WriteShapesOf768_32(saysGelu, new Dictionary<string, string> { ["activation"] = "gelu" });
        var preset = new CheckpointLoadOptions { Preset = "convmixer_768_32", Strict = false };

        using (var model = ConvMixer.FromCheckpoint(bare, preset))
        {
            model.Config.Should().Be(ConvMixerPresets.ConvMixer768_32 with { NumClasses = 0 });
            model.Layers.Should().OnlyContain(layer => layer.Activation == Activation.Relu);
            model.state_dict()["blocks.31.0.fn.0.weight"].allclose(weights["blocks.31.0.fn.0.weight"], rtol: 0, atol: 0).Should().BeTrue("the file's weights are loaded");
        }

        // The preset outranks the file's metadata, so it is the preset, not the shapes' published default, that decides.
        using (var model = ConvMixer.FromCheckpoint(saysGelu, preset))
        {
            model.Config.Activation.Should().Be(Activation.Relu);
            model.Layers.Should().OnlyContain(layer => layer.Activation == Activation.Relu);
        }

        using (var model = ConvMixer.FromCheckpoint(saysGelu, new CheckpointLoadOptions { Strict = false }))
        {
            model.Config.Activation.Should().Be(Activation.Gelu, "without the preset the metadata decides");
        }

        // A strict load refuses to run a model whose activation contradicts the file's.
        FluentActions.Invoking(() => ConvMixer.FromCheckpoint(saysGelu, preset with { Strict = true }))
            .Should().Throw<CheckpointMismatchException>().WithMessage("*activation is Gelu, but the model uses Relu*");

        foreach (var tensor in weights.Values)
        {
            tensor.Dispose();
        }
    }

    [Fact]
    public void A_preset_must_match_the_shapes()
    {
        var golden = GoldenCase.Load("caseA");

        var act = () => ConvMixer.FromCheckpoint(golden.PthPath, new CheckpointLoadOptions { Preset = "convmixer_768_32" });

        act.Should().Throw<ArgumentException>().WithMessage("*caseA.pth*ConvMixer-32/2*convmixer_768_32*");
    }

    [Fact]
    public void An_explicit_activation_is_used()
    {
        var golden = GoldenCase.Load("caseA");
        using var model = ConvMixer.FromCheckpoint(golden.PthPath, new CheckpointLoadOptions { Activation = Activation.Relu });

        model.Config.Activation.Should().Be(Activation.Relu);
        model.Layers[0].Activation.Should().Be(Activation.Relu);
    }

    // Random stem and depthwise weights of ConvMixer-768/32's shapes in a .safetensors with the given metadata.
    private static Dictionary<string, Tensor> WriteShapesOf768_32(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var preset = ConvMixerPresets.ConvMixer768_32;
        var generator = new torch.Generator(768);
        var weights = new Dictionary<string, Tensor>
        {
            ["stem.0.weight"] = torch.randn([preset.Dim, 3, preset.PatchSize, preset.PatchSize], generator: generator),
        };
        for (var i = 0; i < preset.Depth; i++)
        {
            weights[$"blocks.{i}.0.fn.0.weight"] = torch.randn([preset.Dim, 1, preset.KernelSize, preset.KernelSize], generator: generator);
        }

        using var file = File.Create(path);
        SafetensorsFile.Write(file, weights.ToList(), metadata);
        return weights;
    }
}
