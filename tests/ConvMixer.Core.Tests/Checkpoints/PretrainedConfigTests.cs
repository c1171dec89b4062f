using System.Text.Json.Nodes;
using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// A <see cref="PretrainedConfig"/> survives .safetensors metadata and model folders field by field; a configuration
/// that cannot belong to the weights is refused with a message naming the field; timm's reading rules apply (legacy
/// flat config.json, <c>labels</c>, top-level <c>num_classes</c> and <c>label_names</c> winning).
/// </summary>
public class PretrainedConfigTests
{
    private static readonly ConvMixerConfig Shape = new(Dim: 8, Depth: 1, KernelSize: 3, PatchSize: 2, NumClasses: 4, Activation: Activation.Relu);

    // Every field away from its default; floats with at most 6 decimals, as config.json stores them.
    private static readonly PretrainedConfig Everything = new()
    {
        Data = new DataConfig
        {
            InputSize = 40,
            CropFraction = 0.8,
            CropMode = CropMode.Squash,
            Interpolation = Interpolation.Lanczos,
            Mean = [0.125f, 0.5f, 0.75f],
            Std = [0.2f, 0.3125f, 0.4f],
        },
        LabelNames = new ClassLabels(["cat", "dog", "émeu", "a name with spaces"]),
        Architecture = "my_convmixer_8_1",
        Source = "runs/2026-12-01",
        License = "apache-2.0",
        Description = "A test model \"with quotes\".",
        OriginUrl = "https://example.org/model",
        Metrics = new Dictionary<string, double> { ["top1"] = 80.25, ["val_accuracy"] = 0.931, ["loss"] = 1.0 / 3.0 },
        Training = new Dictionary<string, string> { ["recipe"] = "fashion-mnist", ["epochs"] = "9", ["lr"] = "0.01", ["note"] = "a \"quoted\" value" },
    };

    public static TheoryData<string> Carriers => new() { "model.safetensors", "folder" };

    [Theory]
    [MemberData(nameof(Carriers))]
    public void Every_field_round_trips(string carrier)
    {
        using var directory = new TemporaryDirectory();
        using var original = new ConvMixer(Shape) { Pretrained = Everything };
        var path = Save(original, directory, carrier);

        using var loaded = ConvMixer.FromCheckpoint(path);

        var p = loaded.Pretrained!;
        p.Data.InChannels.Should().Be(Everything.Data.InChannels);
        p.Data.InputSize.Should().Be(Everything.Data.InputSize);
        p.Data.CropFraction.Should().Be(Everything.Data.CropFraction);
        p.Data.CropMode.Should().Be(Everything.Data.CropMode);
        p.Data.Interpolation.Should().Be(Everything.Data.Interpolation);
        p.Data.Mean.Should().Equal(Everything.Data.Mean);
        p.Data.Std.Should().Equal(Everything.Data.Std);
        p.LabelNames.Should().Equal(Everything.LabelNames);
        p.Architecture.Should().Be(Everything.Architecture);
        p.Source.Should().Be(Everything.Source);
        p.License.Should().Be(Everything.License);
        p.Description.Should().Be(Everything.Description);
        p.OriginUrl.Should().Be(Everything.OriginUrl);
        p.Metrics.Should().BeEquivalentTo(Everything.Metrics);
        p.Training.Should().Equal(Everything.Training);
        p.Should().Be(Everything);
        loaded.Config.Should().Be(Shape);
    }

    [Fact]
    public void A_grey_model_keeps_its_single_channel_statistics()
    {
        using var directory = new TemporaryDirectory();
        var grey = Everything with { Data = Everything.Data with { InChannels = 1, Mean = [0.286f], Std = [0.353f] } };
        using var original = new ConvMixer(Shape with { InChannels = 1 }) { Pretrained = grey };
        ModelFolder.Save(original, directory.Path);

        using var loaded = ConvMixer.FromCheckpoint(directory.Path);

        loaded.Pretrained.Should().Be(grey);
        loaded.Config.InChannels.Should().Be(1);
    }

    public static TheoryData<string, string, string> WrongShapes => new()
    {
        { "model.safetensors", "mean of 2 values", "pretrained_cfg.mean" },
        { "model.safetensors", "7 names for 4 classes", "label_names" },
        { "model.safetensors", "input size 0", "pretrained_cfg.input_size" },
        { "folder", "mean of 2 values", "pretrained_cfg.mean" },
        { "folder", "7 names for 4 classes", "label_names" },
        { "folder", "input size 0", "pretrained_cfg.input_size" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void A_configuration_that_does_not_fit_is_refused_naming_the_field(string carrier, string defect, string field)
    {
        using var directory = new TemporaryDirectory();
        using var model = new ConvMixer(Shape) { Pretrained = Everything };
        var config = ModelConfigJson.ToJson(model.Config, Everything);
        var pretrainedCfg = config["pretrained_cfg"]!.AsObject();
        switch (defect)
        {
            case "mean of 2 values":
                pretrainedCfg["mean"] = new JsonArray(0.5, 0.5);
                break;
            case "7 names for 4 classes":
                config["label_names"] = new JsonArray(Enumerable.Range(0, 7).Select(i => (JsonNode?)$"name {i}").ToArray());
                break;
            default:
                pretrainedCfg["input_size"] = new JsonArray(3, 0, 0);
                break;
        }

        var path = carrier == "folder" ? WriteFolder(model, directory, config) : WriteSafetensors(model, directory.File(carrier), config);

        var load = () => ConvMixer.FromCheckpoint(path);

        var message = load.Should().Throw<InvalidCheckpointException>().Which.Message;
        message.Should().Contain($"'{field}'");
        // The file to fix: config.json for a folder (its weights' metadata is valid), else the weights file.
        message.Should().Contain(carrier == "folder" ? $"{ModelFolder.ConfigFileName}'" : $"{carrier}'");
    }

    [Fact]
    public void A_folder_whose_config_json_does_not_fit_its_weights_names_config_json()
    {
        using var directory = new TemporaryDirectory();
        using var model = new ConvMixer(Shape) { Pretrained = Everything };
        var config = ModelConfigJson.ToJson(model.Config, Everything);
        config["num_classes"] = 5;
        config.Remove("label_names");
        var path = WriteFolder(model, directory, config);

        var load = () => ConvMixer.FromCheckpoint(path);

        load.Should().Throw<InvalidCheckpointException>().Which.Message.Should()
            .Contain($"{ModelFolder.ConfigFileName}'").And.Contain("states 5 classes").And.Contain("has 4");
    }

    [Fact]
    public void A_legacy_flat_config_json_with_labels_is_read()
    {
        using var directory = new TemporaryDirectory();
        using var model = new ConvMixer(Shape with { Activation = Activation.Gelu });
        // timm 0.6's save_for_hf: the pretrained config itself, with num_classes, num_features and 'labels' added.
        var legacy = new JsonObject
        {
            ["url"] = string.Empty,
            ["num_classes"] = 4,
            ["input_size"] = new JsonArray(3, 36, 36),
            ["pool_size"] = null,
            ["crop_pct"] = 0.85,
            ["interpolation"] = "bilinear",
            ["mean"] = new JsonArray(0.1, 0.2, 0.3),
            ["std"] = new JsonArray(0.4, 0.5, 0.6),
            ["first_conv"] = "stem.0",
            ["classifier"] = "head",
            ["license"] = "mit",
            ["architecture"] = "convmixer_legacy",
            ["num_features"] = 8,
            ["labels"] = new JsonArray("w", "x", "y", "z"),
        };
        var path = WriteFolder(model, directory, legacy);

        using var loaded = ConvMixer.FromCheckpoint(path);

        var p = loaded.Pretrained!;
        p.LabelNames.Should().Equal("w", "x", "y", "z");
        p.Architecture.Should().Be("convmixer_legacy");
        p.License.Should().Be("mit");
        p.Data.Should().Be(new DataConfig { InputSize = 36, CropFraction = 0.85, Interpolation = Interpolation.Bilinear, Mean = [0.1f, 0.2f, 0.3f], Std = [0.4f, 0.5f, 0.6f] });
        loaded.Config.Activation.Should().Be(Activation.Gelu, "timm's default when nothing names the activation");
    }

    [Fact]
    public void Top_level_num_classes_and_label_names_win_over_pretrained_cfg()
    {
        using var directory = new TemporaryDirectory();
        using var model = new ConvMixer(Shape) { Pretrained = Everything };
        var config = ModelConfigJson.ToJson(model.Config, Everything);
        // timm keeps pretrained_cfg.num_classes (and its labels) from before a new head was fitted.
        var pretrainedCfg = config["pretrained_cfg"]!.AsObject();
        pretrainedCfg["num_classes"] = 1000;
        pretrainedCfg["label_names"] = new JsonArray(Enumerable.Range(0, 1000).Select(i => (JsonNode?)$"old {i}").ToArray());
        var path = WriteFolder(model, directory, config);

        using var loaded = ConvMixer.FromCheckpoint(path);

        loaded.NumClasses.Should().Be(4);
        loaded.Pretrained!.LabelNames.Should().Equal(Everything.LabelNames);
    }

    private static string Save(ConvMixer model, TemporaryDirectory directory, string carrier)
    {
        if (carrier == "folder")
        {
            ModelFolder.Save(model, directory.Path);
            return directory.Path;
        }

        var path = directory.File(carrier);
        model.SaveCheckpoint(path);
        return path;
    }

    // A model folder whose config.json is the given document (the weights' own metadata keeps the valid one).
    private static string WriteFolder(ConvMixer model, TemporaryDirectory directory, JsonObject config)
    {
        ModelFolder.Save(model, directory.Path);
        File.WriteAllText(Path.Combine(directory.Path, ModelFolder.ConfigFileName), config.ToJsonString());
        return directory.Path;
    }

    // A .safetensors file whose 'config' metadata is the given document.
    private static string WriteSafetensors(ConvMixer model, string path, JsonObject config)
    {
        var metadata = CheckpointMetadata.From(ModelConfig.Of(model));
        metadata[ModelConfig.MetadataKey] = config.ToJsonString();
        using var scope = torch.NewDisposeScope();
        var tensors = model.state_dict().Select(p => KeyValuePair.Create(p.Key, p.Value.detach().contiguous())).ToList();
        using var stream = File.Create(path);
        SafetensorsFile.Write(stream, tensors, metadata);
        return path;
    }
}
