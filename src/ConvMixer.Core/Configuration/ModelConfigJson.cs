using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConvMixerNet.Core;

/// <summary>
/// A model's configuration as the <c>config.json</c> of a Hugging Face model folder that timm writes and reads
/// (<c>save_config_for_hf</c>, <c>load_model_config_from_path</c>): <c>architecture</c>, <c>num_classes</c>,
/// <c>num_features</c>, <c>label_names</c>, <c>model_args</c> and <c>pretrained_cfg</c> (only the fields timm's
/// <c>PretrainedCfg</c> knows, since timm builds one from it). The same document is stored verbatim in every container
/// (see <see cref="ModelConfig"/>), so this is the only place a field is spelt.
/// </summary>
internal static class ModelConfigJson
{
    /// <summary>The ImageNet architectures timm registers; only these names load with <c>timm.create_model</c>.</summary>
    private static readonly string[] TimmNames = ["convmixer_1536_20", "convmixer_768_32", "convmixer_1024_20_ks9_p14"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The timm name of <paramref name="architecture"/>'s shape and activation, if it is a published one (any class count and channels).</summary>
    public static string? TimmName(ConvMixerConfig architecture) =>
        TimmNames.FirstOrDefault(name =>
        {
            var p = ConvMixerPresets.Get(name);
            return p.Dim == architecture.Dim && p.Depth == architecture.Depth && p.KernelSize == architecture.KernelSize
                && p.PatchSize == architecture.PatchSize && p.Activation == architecture.Activation
                && architecture.ResidualPlacement == ResidualPlacement.AroundSpatialMixing;
        });

    public static string Serialize(ConvMixerConfig architecture, PretrainedConfig? pretrained, bool indented) =>
        ToJson(architecture, pretrained).ToJsonString(indented ? Indented : null);

    /// <summary>The document; without <paramref name="pretrained"/> it has no <c>pretrained_cfg</c> (nothing is known about preprocessing).</summary>
    public static JsonObject ToJson(ConvMixerConfig architecture, PretrainedConfig? pretrained)
    {
        var timmName = TimmName(architecture);
        // timm's variant functions fix dim, depth, kernel and patch (passing them again is a TypeError), so model_args
        // carries them only for shapes timm has no name for; timm's ConvMixer ignores the extra 'activation'.
        var modelArgs = new JsonObject { ["in_chans"] = architecture.InChannels, ["activation"] = Name(architecture.Activation) };
        if (timmName is null)
        {
            modelArgs["dim"] = architecture.Dim;
            modelArgs["depth"] = architecture.Depth;
            modelArgs["kernel_size"] = architecture.KernelSize;
            modelArgs["patch_size"] = architecture.PatchSize;
            modelArgs["residual_placement"] = Snake(architecture.ResidualPlacement.ToString());
        }

        var config = new JsonObject
        {
            ["architecture"] = timmName ?? pretrained?.Architecture ?? "convmixer",
            ["num_classes"] = architecture.NumClasses,
            ["num_features"] = architecture.Dim,
            ["global_pool"] = "avg",
        };
        if (pretrained is null)
        {
            config["model_args"] = modelArgs;
            return config;
        }

        var data = pretrained.Data;
        var pretrainedCfg = new JsonObject
        {
            ["input_size"] = new JsonArray(data.InChannels, data.InputSize, data.InputSize),
            ["interpolation"] = Name(data.Interpolation),
            ["crop_pct"] = data.CropFraction,
            ["crop_mode"] = Name(data.CropMode),
            ["mean"] = Floats(data.Mean),
            ["std"] = Floats(data.Std),
            ["num_classes"] = architecture.NumClasses,
            ["first_conv"] = "stem.0",
            ["classifier"] = "head",
        };
        AddIfSet(pretrainedCfg, "license", pretrained.License);
        AddIfSet(pretrainedCfg, "description", pretrained.Description);
        AddIfSet(pretrainedCfg, "origin_url", pretrained.OriginUrl);
        if (pretrained.LabelNames is { } labels)
        {
            config["label_names"] = new JsonArray(labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
        }

        config["model_args"] = modelArgs;
        config["pretrained_cfg"] = pretrainedCfg;
        AddIfSet(config, "source", pretrained.Source);
        if (pretrained.Metrics is { Count: > 0 } metrics)
        {
            var values = new JsonObject();
            foreach (var (name, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                values[name] = value;
            }

            config["metrics"] = values;
        }

        if (pretrained.Training is { Count: > 0 } training)
        {
            var values = new JsonObject();
            foreach (var (name, value) in training)
            {
                values[name] = value;
            }

            config["training"] = values;
        }

        return config;
    }

    /// <summary>Parses a <c>config.json</c> (current or legacy flat layout) by timm's rules.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or a field is invalid; the message names the field.</exception>
    public static StoredModelConfig Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"it is not valid JSON ({e.Message})");
        }

        if (root is not JsonObject config)
        {
            throw new InvalidDataException("it is not a JSON object");
        }

        // Our documents without pretrained_cfg say nothing about preprocessing (the weights came without it).
        var modelArgs = config["model_args"] switch
        {
            null => null,
            JsonObject args => args,
            _ => throw Field("model_args", "is not an object"),
        };
        var hasPretrained = config["pretrained_cfg"] is not null || modelArgs is null;

        // Legacy single-dict layout: everything is the pretrained config, 'labels' is the old name of 'label_names'.
        JsonObject pretrainedCfg;
        if (config["pretrained_cfg"] is null)
        {
            pretrainedCfg = config;
        }
        else
        {
            pretrainedCfg = config["pretrained_cfg"] as JsonObject ?? throw Field("pretrained_cfg", "is not an object");
        }

        // Top-level num_classes and label_names win: timm leaves pretrained_cfg.num_classes at 1000 after a new head.
        var numClasses = OptionalInt(config, "num_classes") ?? OptionalInt(pretrainedCfg, "num_classes", "pretrained_cfg.");
        var labelNode = config["label_names"] ?? pretrainedCfg["label_names"] ?? config["labels"] ?? pretrainedCfg["labels"];
        var labels = labelNode is null ? null : Labels(labelNode);
        if (labels is not null && numClasses is { } classes && labels.Count != classes)
        {
            throw Field("label_names", $"has {labels.Count} names, but num_classes is {classes}");
        }

        var prefix = ReferenceEquals(pretrainedCfg, config) ? string.Empty : "pretrained_cfg.";
        var data = new DataConfig();
        if (pretrainedCfg["input_size"] is { } inputSize)
        {
            var dims = inputSize is JsonArray array && array.Count == 3 ? array.Select(n => IntValue(n, prefix + "input_size")).ToArray()
                : throw Field(prefix + "input_size", "must be [channels, height, width]");
            if (dims.Any(d => d <= 0))
            {
                throw Field(prefix + "input_size", $"must be positive, not [{string.Join(", ", dims)}]");
            }

            if (dims[1] != dims[2])
            {
                throw Field(prefix + "input_size", $"is {dims[1]}x{dims[2]}; only square inputs are supported");
            }

            data = data with { InChannels = dims[0], InputSize = dims[1] };
        }

        if (pretrainedCfg["interpolation"] is { } interpolation)
        {
            data = data with { Interpolation = ParseInterpolation(StringValue(interpolation, prefix + "interpolation"), prefix + "interpolation") };
        }

        if (pretrainedCfg["crop_pct"] is { } cropPct)
        {
            data = data with { CropFraction = DoubleValue(cropPct, prefix + "crop_pct") };
        }

        if (pretrainedCfg["crop_mode"] is { } cropMode)
        {
            data = data with { CropMode = ParseCropMode(StringValue(cropMode, prefix + "crop_mode"), prefix + "crop_mode") };
        }

        if (pretrainedCfg["mean"] is { } mean)
        {
            data = data with { Mean = FloatArray(mean, prefix + "mean") };
        }

        if (pretrainedCfg["std"] is { } std)
        {
            data = data with { Std = FloatArray(std, prefix + "std") };
        }

        // model_args.in_chans gives the channels when input_size does not, and must agree with it when it does.
        if (modelArgs?["in_chans"] is { } inChans)
        {
            var channels = IntValue(inChans, "model_args.in_chans");
            if (pretrainedCfg["input_size"] is null)
            {
                data = data with { InChannels = channels };
            }
            else if (channels != data.InChannels)
            {
                throw Field("model_args.in_chans", $"is {channels}, but pretrained_cfg.input_size has {data.InChannels} channels");
            }
        }

        if (hasPretrained)
        {
            ValidateData(data, prefix);
        }

        var architecture = OptionalString(config, "architecture");
        var pretrained = new PretrainedConfig
        {
            Data = data,
            LabelNames = labels,
            Architecture = architecture,
            Source = OptionalString(config, "source"),
            License = OptionalString(pretrainedCfg, "license", prefix),
            Description = OptionalString(pretrainedCfg, "description", prefix),
            OriginUrl = OptionalString(pretrainedCfg, "origin_url", prefix),
            Metrics = config["metrics"] is JsonObject metrics
                ? metrics.ToDictionary(m => m.Key, m => DoubleValue(m.Value, "metrics." + m.Key), StringComparer.Ordinal)
                : null,
            Training = config["training"] switch
            {
                null => null,
                JsonObject training => training.ToDictionary(t => t.Key, t => StringValue(t.Value, "training." + t.Key), StringComparer.Ordinal),
                _ => throw Field("training", "is not an object"),
            },
        };

        var activation = modelArgs?["activation"] is { } activationNode ? ParseEnum<Activation>(StringValue(activationNode, "model_args.activation"), "model_args.activation") : ActivationOfName(architecture);
        // Earlier .safetensors metadata spelt it AroundSpatialMixing.
        var placement = modelArgs?["residual_placement"] is { } placementNode
            ? ParseEnum<ResidualPlacement>(StringValue(placementNode, "model_args.residual_placement").Replace("_", string.Empty, StringComparison.Ordinal), "model_args.residual_placement")
            : (ResidualPlacement?)null;
        return new StoredModelConfig(
            hasPretrained ? pretrained : null,
            numClasses,
            activation,
            placement,
            FullArchitecture(architecture, modelArgs, numClasses, data.InChannels, activation, placement));
    }

    /// <summary>The separate metadata keys of earlier versions' <c>.safetensors</c> and ONNX files: <c>model_args</c>' names, and <c>num_classes</c>.</summary>
    public static IReadOnlyList<string> LegacyKeys { get; } = ["dim", "depth", "kernel_size", "patch_size", "in_chans", "num_classes", "activation", "residual_placement"];

    /// <summary>
    /// The document that the separate keys of an earlier version's metadata amount to (those of <paramref name="keys"/>
    /// present), so that they are read by the same rules as every document; null when none is present.
    /// </summary>
    public static string? LegacyDocument(IReadOnlyDictionary<string, string> metadata, IEnumerable<string> keys)
    {
        var document = new JsonObject();
        var modelArgs = new JsonObject();
        foreach (var key in keys.Where(metadata.ContainsKey))
        {
            // Integers become numbers; any other text stays text, for the reader to name the field that is wrong.
            var text = metadata[key];
            JsonNode value = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(text);
            (key == "num_classes" ? document : modelArgs)[key] = value;
        }

        if (document.Count + modelArgs.Count == 0)
        {
            return null;
        }

        document["model_args"] = modelArgs;
        return document.ToJsonString();
    }

    // The whole architecture when the document determines it: timm's name fixes the shape, model_args gives it otherwise.
    private static ConvMixerConfig? FullArchitecture(string? name, JsonObject? modelArgs, int? numClasses, int inChannels, Activation? activation, ResidualPlacement? placement)
    {
        var preset = name is not null && TimmNames.Contains(name) ? ConvMixerPresets.Get(name) : null;
        int? Dimension(string field, int? fallback) =>
            modelArgs?[field] is { } node ? IntValue(node, "model_args." + field) is var v && v > 0 ? v : throw Field("model_args." + field, "must be positive") : fallback;
        var dim = Dimension("dim", preset?.Dim);
        var depth = Dimension("depth", preset?.Depth);
        var kernel = Dimension("kernel_size", preset?.KernelSize);
        var patch = Dimension("patch_size", preset?.PatchSize);
        if (dim is null || depth is null || kernel is null || patch is null || numClasses is null)
        {
            return null;
        }

        if (numClasses < 0)
        {
            throw Field("num_classes", $"is {numClasses}; it must be 0 (no classifier) or positive");
        }

        return new ConvMixerConfig(dim.Value, depth.Value, kernel.Value, patch.Value, numClasses.Value, inChannels,
            activation ?? preset?.Activation ?? Activation.Gelu, placement ?? ResidualPlacement.AroundSpatialMixing);
    }

    private static Activation? ActivationOfName(string? architecture) =>
        architecture is not null && TimmNames.Contains(architecture) ? ConvMixerPresets.Get(architecture).Activation : null;

    private static void ValidateData(DataConfig data, string prefix)
    {
        if (data.Problems() is [var first, ..])
        {
            var field = first.Field switch
            {
                nameof(DataConfig.Mean) => "mean",
                nameof(DataConfig.Std) => "std",
                nameof(DataConfig.CropFraction) => "crop_pct",
                nameof(DataConfig.InputSize) or nameof(DataConfig.InChannels) => "input_size",
                _ => first.Field,
            };
            throw Field(prefix + field, first.Message);
        }
    }

    private static ClassLabels Labels(JsonNode node)
    {
        string[] names;
        if (node is JsonArray array)
        {
            names = array.Select((n, i) => StringValue(n, $"label_names[{i}]")).ToArray();
        }
        else if (node is JsonObject map)
        {
            // timm allows {index: name}; every index from 0 must be there.
            var byIndex = map.ToDictionary(p => int.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : throw Field("label_names", $"has the key '{p.Key}', not a class index"), p => StringValue(p.Value, $"label_names.{p.Key}"));
            var missing = Enumerable.Range(0, byIndex.Count).FirstOrDefault(i => !byIndex.ContainsKey(i), -1);
            if (missing >= 0)
            {
                throw Field("label_names", $"has no name for class {missing}");
            }

            names = Enumerable.Range(0, byIndex.Count).Select(i => byIndex[i]).ToArray();
        }
        else
        {
            throw Field("label_names", "must be a list of names");
        }

        return ClassLabels.Problem(names) is { } problem ? throw Field("label_names", problem) : new ClassLabels(names);
    }

    private static Interpolation ParseInterpolation(string text, string field) => text switch
    {
        "nearest" => Interpolation.Nearest,
        "box" => Interpolation.Box,
        "bilinear" => Interpolation.Bilinear,
        "hamming" => Interpolation.Hamming,
        "bicubic" => Interpolation.Bicubic,
        "lanczos" => Interpolation.Lanczos,
        _ => throw Field(field, $"is '{text}'; expected one of nearest, box, bilinear, hamming, bicubic, lanczos"),
    };

    private static CropMode ParseCropMode(string text, string field) => text switch
    {
        "center" => CropMode.Center,
        "squash" => CropMode.Squash,
        _ => throw Field(field, $"is '{text}'; supported: center, squash"),
    };

    private static T ParseEnum<T>(string text, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw Field(field, $"is '{text}'; expected one of {string.Join(", ", Enum.GetNames<T>().Select(Snake))}");

    private static string Name(Enum value) => value.ToString().ToLowerInvariant();

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static JsonArray Floats(IReadOnlyList<float> values) =>
        new(values.Select(v => (JsonNode?)JsonValue.Create(Math.Round((double)v, 6))).ToArray());

    private static void AddIfSet(JsonObject json, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            json[name] = value;
        }
    }

    private static int? OptionalInt(JsonObject json, string name, string prefix = "") => json[name] is { } node ? IntValue(node, prefix + name) : null;

    private static string? OptionalString(JsonObject json, string name, string prefix = "") => json[name] is { } node ? StringValue(node, prefix + name) : null;

    private static int IntValue(JsonNode? node, string field) =>
        node is JsonValue value && value.TryGetValue<int>(out var number) ? number
        : node is JsonValue d && d.TryGetValue<double>(out var real) && real == Math.Floor(real) && Math.Abs(real) < int.MaxValue ? (int)real
        : throw Field(field, "must be an integer");

    private static double DoubleValue(JsonNode? node, string field) =>
        node is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number) ? number : throw Field(field, "must be a finite number");

    private static string StringValue(JsonNode? node, string field) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw Field(field, "must be a string");

    private static float[] FloatArray(JsonNode node, string field) =>
        node is JsonArray array ? array.Select((n, i) => (float)DoubleValue(n, $"{field}[{i}]")).ToArray() : throw Field(field, "must be a list of numbers");

    private static InvalidDataException Field(string field, string problem) => new($"'{field}' {problem}");
}
