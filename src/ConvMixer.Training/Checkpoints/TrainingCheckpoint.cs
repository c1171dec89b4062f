using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>
/// Reads and writes training checkpoints: one file with the run state (<see cref="CheckpointState"/>), the model
/// weights and the AdamW state, written atomically so a crash leaves the previous checkpoint intact.
/// </summary>
/// <remarks>
/// Layout: a magic string and format version, the state as JSON, the data order and RNG state, the weights in
/// TorchSharp's <c>Module.save</c> format, then the optimizer in TorchSharp's <c>save_state_dict</c> format.
/// </remarks>
public static class TrainingCheckpoint
{
    /// <summary>Name of the checkpoint file in a run's output directory.</summary>
    public const string FileName = "checkpoint.ckpt";

    private const string Magic = "ConvMixer.Training checkpoint";
    private const int FormatVersion = 1;

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Save(string path, CheckpointState state, nn.Module model, optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var helper = optimizer as OptimizerHelper
            ?? throw new ArgumentException($"{optimizer.GetType().Name} cannot save its state.", nameof(optimizer));
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(JsonSerializer.Serialize(StateWithoutArrays(state), Json));
            WriteArray(writer, state.NextEpochOrder);
            writer.Write(state.RandomState.Length);
            writer.Write(state.RandomState);
            model.save(writer);
            helper.save_state_dict(writer);
            writer.Flush();
        });
    }

    /// <summary>True when <paramref name="path"/> starts like a checkpoint written by <see cref="Save"/>.</summary>
    public static bool IsTrainingCheckpoint(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), System.Text.Encoding.UTF8);
            return reader.BaseStream.Length > Magic.Length && reader.ReadString() == Magic;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads only the run state (no tensors), for example to rebuild the model or show a summary.</summary>
    public static CheckpointState ReadState(string path) => Read(path, (_, _) => { });

    /// <summary>Rebuilds the checkpoint's model on <paramref name="device"/> with its weights.</summary>
    public static ConvMixer LoadModel(string path, Device? device = null)
    {
        var state = ReadState(path);
        var model = new ConvMixer(state.ModelConfig);
        try
        {
            Read(path, (reader, _) => model.load(reader, strict: true));
            if (device is not null)
            {
                model.to(device);
            }

            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loads weights and optimizer state into <paramref name="model"/> and <paramref name="optimizer"/> and returns the run state.</summary>
    public static CheckpointState Restore(string path, nn.Module model, optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        var helper = optimizer as OptimizerHelper
            ?? throw new ArgumentException($"{optimizer?.GetType().Name ?? "null"} cannot load a saved state.", nameof(optimizer));
        return Read(path, (reader, state) =>
        {
            model.load(reader, strict: true);
            helper.load_state_dict(reader);
        });
    }

    private static CheckpointState Read(string path, Action<BinaryReader, CheckpointState> readTensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8);
            var magic = stream.Length >= Magic.Length + 1 ? reader.ReadString() : string.Empty;
            if (magic != Magic)
            {
                throw new InvalidDataException($"'{path}' is not a ConvMixer training checkpoint (its header does not match).");
            }

            var version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"'{path}' has checkpoint format version {version}; this library reads version {FormatVersion}.");
            }

            var state = JsonSerializer.Deserialize<CheckpointState>(reader.ReadString(), Json)
                ?? throw new InvalidDataException($"'{path}' has an empty checkpoint state.");
            var order = ReadArray(reader);
            var random = reader.ReadBytes(reader.ReadInt32());
            state = state with { NextEpochOrder = order, RandomState = random };
            readTensors(reader, state);
            return state;
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is damaged or does not fit this model: {e.Message}", e);
        }
    }

    private static CheckpointState StateWithoutArrays(CheckpointState state) =>
        state with { NextEpochOrder = [], RandomState = [] };

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
        if (length < 0)
        {
            throw new InvalidDataException($"Negative array length {length}.");
        }

        var values = new int[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = reader.ReadInt32();
        }

        return values;
    }
}
