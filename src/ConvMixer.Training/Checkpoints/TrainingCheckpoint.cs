using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>
/// A training run's checkpoint: the run folder is a model folder (<c>config.json</c> + <c>model.safetensors</c>, by
/// ConvMixerNet.Core's <see cref="ModelFolder"/>), and <c>checkpoint.ckpt</c> beside it holds only the trainer state:
/// the run state (<see cref="CheckpointState"/>: options, class names, epochs, step, history) as JSON with the
/// SHA-256 of the weights it belongs to, then the next epoch's data order, torch's random state and AdamW's state.
/// The epoch's model folder is first written to a staging folder beside the state, then the trainer state (the commit
/// point), then the staged files are moved into place; a crash before the commit leaves the previous epoch, one after
/// it is completed by the next resume.
/// Checkpoints of format 2 and 3 (earlier versions: the description and weights inside the file) still resume.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>Name of the trainer-state file in a run's output directory.</summary>
    public const string FileName = "checkpoint.ckpt";

    /// <summary>The format version written: 4, the trainer state only (2 and 3, which held the weights too, are read).</summary>
    public const int FormatVersion = 4;

    // ConvMixerNet.Core recognises the magic to load a run's model from any of its files.
    private const string Magic = "ConvMixer.Training checkpoint";
    private const int OldestReadVersion = 2;
    private const int WeightsInsideVersion = 3;
    private const string WeightsKey = "weights";
    private const string RunKey = "run";

    /// <summary>The staging folder of the model folder being written (in the run folder, empty between epochs).</summary>
    public const string StagingFolderName = ".checkpoint-next";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Writes the run's model folder (the weights and <see cref="ConvMixer.Pretrained"/> configuration of
    /// <paramref name="model"/>) into the folder of <paramref name="path"/>, then the trainer state to <paramref name="path"/>.
    /// </summary>
    public static void Save(string path, CheckpointState state, ConvMixer model, optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(model);
        var helper = optimizer as OptimizerHelper
            ?? throw new ArgumentException($"{optimizer?.GetType().Name ?? "null"} cannot save its state.", nameof(optimizer));
        var folder = FolderOf(path);
        var staging = Path.Combine(folder, StagingFolderName);
        ModelFolder.Save(model, staging);
        // The architecture is in config.json; the run state does not repeat it.
        var run = JsonSerializer.SerializeToNode(state with { NextEpochOrder = [], RandomState = [] }, Json)!.AsObject();
        run.Remove(nameof(CheckpointState.ModelConfig));
        var header = new JsonObject
        {
            [WeightsKey] = new JsonObject { ["file"] = ModelFolder.SafetensorsFileName, ["sha256"] = Digest(Path.Combine(staging, ModelFolder.SafetensorsFileName)) },
            [RunKey] = run,
        };
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(header.ToJsonString());
            WriteArray(writer, state.NextEpochOrder);
            writer.Write(state.RandomState.Length);
            writer.Write(state.RandomState);
            helper.save_state_dict(writer);
            writer.Flush();
        });
        MoveStagedFiles(folder);
    }

    /// <summary>True when <paramref name="path"/> is a regular file that starts like a training checkpoint.</summary>
    public static bool IsTrainingCheckpoint(string path)
    {
        if (!FileKind.IsRegularFile(path))
        {
            return false;
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            return stream.Length > Magic.Length && reader.ReadString() == Magic;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException)
        {
            return false;
        }
    }

    /// <summary>Reads only the run state (no tensors; the data order and random state stay empty), for example to continue a run or show a summary.</summary>
    /// <exception cref="InvalidCheckpointException">Not a training checkpoint, or a damaged one.</exception>
    public static CheckpointState ReadState(string path)
    {
        using var reader = Open(path);
        var (version, header) = ReadHeader(path, reader);
        return StateOf(path, header, Description(path, version).Architecture);
    }

    /// <summary>Loads weights and optimizer state into <paramref name="model"/> and <paramref name="optimizer"/> and returns the full run state.</summary>
    /// <exception cref="InvalidCheckpointException">The checkpoint is damaged, does not fit the model, or its run folder's weights are not the ones it was written with.</exception>
    public static CheckpointState Restore(string path, ConvMixer model, optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        var helper = optimizer as OptimizerHelper
            ?? throw new ArgumentException($"{optimizer?.GetType().Name ?? "null"} cannot load a saved state.", nameof(optimizer));
        using var reader = Open(path);
        var (version, header) = ReadHeader(path, reader);
        if (version > WeightsInsideVersion)
        {
            CompleteOrDropStaging(path, header);
        }

        var description = Description(path, version);
        if (description.Architecture != model.Config)
        {
            throw new InvalidCheckpointException(path, $"it holds a {description.Architecture}, but the model is a {model.Config}.");
        }

        int[] order;
        byte[] random;
        try
        {
            if (version > WeightsInsideVersion)
            {
                RequireWeightsOf(path, header);
                model.LoadCheckpoint(FolderOf(path));
            }
            else
            {
                model.load(reader, strict: true);
            }

            order = ReadArray(reader);
            random = reader.ReadBytes(reader.ReadInt32());
            helper.load_state_dict(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or OverflowException or InvalidDataException)
        {
            throw new InvalidCheckpointException(path, $"it is damaged or does not fit this model ({e.Message}).", e);
        }

        model.Pretrained = description.Pretrained;
        return StateOf(path, header, description.Architecture) with { NextEpochOrder = order, RandomState = random };
    }

    private static string FolderOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path))!;

    private static BinaryReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileKind.RequireRegularFile(path, "checkpoint");
        return new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16), Encoding.UTF8);
    }

    private static (int Version, JsonObject Header) ReadHeader(string path, BinaryReader reader)
    {
        try
        {
            if (reader.BaseStream.Length <= Magic.Length || reader.ReadString() != Magic)
            {
                throw new InvalidCheckpointException(path, "it is not a ConvMixer training checkpoint (its header does not match).");
            }

            var version = reader.ReadInt32();
            if (version is < OldestReadVersion or > FormatVersion)
            {
                throw new InvalidCheckpointException(path, version == 1
                    ? "it is a training checkpoint of format version 1, written before models stored their configuration; it cannot be resumed. Train again, or convert its weights with an earlier version."
                    : $"it has training-checkpoint format version {version}; this library reads versions {OldestReadVersion} to {FormatVersion}.");
            }

            var header = JsonNode.Parse(reader.ReadString()) as JsonObject ?? throw new InvalidCheckpointException(path, "its header is not a JSON object.");
            return (version, header);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or FormatException or IOException)
        {
            throw new InvalidCheckpointException(path, $"its header is damaged ({e.Message}).", e);
        }
    }

    // The run's model description: config.json of the run folder; for earlier formats, what Core reads from the file itself.
    private static ModelConfig Description(string path, int version)
    {
        if (version <= WeightsInsideVersion)
        {
            using var described = ConvMixer.FromCheckpoint(path);
            return new ModelConfig(described.Config, described.Pretrained);
        }

        var config = Path.Combine(FolderOf(path), ModelFolder.ConfigFileName);
        if (!File.Exists(config))
        {
            throw new InvalidCheckpointException(path, $"its run folder has no {ModelFolder.ConfigFileName}: the trainer state needs the run's model folder (config.json + model.safetensors) beside it.");
        }

        return ModelConfig.Parse(File.ReadAllText(config), config);
    }

    // The weights in the folder must be the ones the trainer state was written with, or the resume would not be exact.
    private static void RequireWeightsOf(string path, JsonObject header)
    {
        var weights = Path.Combine(FolderOf(path), ModelFolder.SafetensorsFileName);
        var expected = header[WeightsKey]?["sha256"]?.GetValue<string>();
        if (!File.Exists(weights) || expected != Digest(weights))
        {
            throw new InvalidCheckpointException(path,
                $"the run folder's {ModelFolder.SafetensorsFileName} is {(File.Exists(weights) ? "not the one" : "missing, not the one")} this trainer state was written with "
                + "(replaced, or the run stopped between writing the weights and the trainer state), so the run cannot continue exactly. Start it again with --force.");
        }
    }

    // A crash after the trainer state was committed leaves its weights in the staging folder: move them into place.
    // Staged weights that are not the state's were written by an epoch that never committed.
    private static void CompleteOrDropStaging(string path, JsonObject header)
    {
        var folder = FolderOf(path);
        var staged = Path.Combine(folder, StagingFolderName, ModelFolder.SafetensorsFileName);
        if (File.Exists(staged) && header[WeightsKey]?["sha256"]?.GetValue<string>() == Digest(staged))
        {
            MoveStagedFiles(folder);
        }
        else if (Directory.Exists(Path.Combine(folder, StagingFolderName)))
        {
            Directory.Delete(Path.Combine(folder, StagingFolderName), recursive: true);
        }
    }

    private static void MoveStagedFiles(string folder)
    {
        var staging = Path.Combine(folder, StagingFolderName);
        foreach (var name in new[] { ModelFolder.SafetensorsFileName, ModelFolder.ConfigFileName })
        {
            if (File.Exists(Path.Combine(staging, name)))
            {
                File.Move(Path.Combine(staging, name), Path.Combine(folder, name), overwrite: true);
            }
        }

        Directory.Delete(staging, recursive: true);
    }

    private static string Digest(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static CheckpointState StateOf(string path, JsonObject header, ConvMixerConfig architecture)
    {
        try
        {
            if (header[RunKey] is not JsonObject run)
            {
                throw new InvalidCheckpointException(path, "it holds no training state (it is not a checkpoint of a training run).");
            }

            // Checkpoints of earlier versions repeat the architecture in the run state; the model description's is the one that counts.
            var state = (JsonObject)run.DeepClone();
            state[nameof(CheckpointState.ModelConfig)] = JsonSerializer.SerializeToNode(architecture, Json);
            return state.Deserialize<CheckpointState>(Json)!;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new InvalidCheckpointException(path, $"its training state is damaged ({e.Message}).", e);
        }
    }

    private static void WriteArray(BinaryWriter writer, int[] values)
    {
        writer.Write(values.Length);
        foreach (var value in values)
        {
            writer.Write(value);
        }
    }

    private static int[] ReadArray(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        if (length < 0 || length > (reader.BaseStream.Length - reader.BaseStream.Position) / 4)
        {
            throw new InvalidDataException($"An array length of {length} does not fit the file.");
        }

        var values = new int[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = reader.ReadInt32();
        }

        return values;
    }
}
