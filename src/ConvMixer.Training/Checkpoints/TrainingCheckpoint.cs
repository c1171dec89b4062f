using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvMixerNet.Training;

/// <summary>
/// Reads and writes training checkpoints: ConvMixerNet.Core's <see cref="RunCheckpointFile"/> container (the model's
/// architecture, configuration and weights, which every model loader reads) carrying the run state
/// (<see cref="CheckpointState"/>) in its header and the data order, random state and AdamW state in its trailer.
/// Written atomically, so a crash leaves the previous checkpoint intact.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>Name of the checkpoint file in a run's output directory.</summary>
    public const string FileName = RunCheckpointFile.FileName;

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes a checkpoint atomically; the model's <see cref="ConvMixer.Pretrained"/> configuration goes with its weights.</summary>
    public static void Save(string path, CheckpointState state, ConvMixer model, optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var helper = optimizer as OptimizerHelper
            ?? throw new ArgumentException($"{optimizer.GetType().Name} cannot save its state.", nameof(optimizer));
        var run = JsonSerializer.SerializeToNode(state with { NextEpochOrder = [], RandomState = [] }, Json)!.AsObject();
        // The architecture is in the container's model description; the run state does not repeat it.
        run.Remove(nameof(CheckpointState.ModelConfig));
        RunCheckpointFile.Save(path, model, run, writer =>
        {
            WriteArray(writer, state.NextEpochOrder);
            writer.Write(state.RandomState.Length);
            writer.Write(state.RandomState);
            helper.save_state_dict(writer);
        });
    }

    /// <summary>True when <paramref name="path"/> starts like a checkpoint written by <see cref="Save"/>.</summary>
    public static bool IsTrainingCheckpoint(string path) => RunCheckpointFile.IsRunCheckpoint(path);

    /// <summary>Reads only the run state (no tensors; the data order and random state stay empty), for example to continue a run or show a summary.</summary>
    /// <exception cref="InvalidCheckpointException">Not a training checkpoint, or a damaged one.</exception>
    public static CheckpointState ReadState(string path) => StateOf(path, RunCheckpointFile.ReadHeader(path));

    /// <summary>Loads weights and optimizer state into <paramref name="model"/> and <paramref name="optimizer"/> and returns the full run state.</summary>
    public static CheckpointState Restore(string path, ConvMixer model, optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        var helper = optimizer as OptimizerHelper
            ?? throw new ArgumentException($"{optimizer?.GetType().Name ?? "null"} cannot load a saved state.", nameof(optimizer));
        int[] order = [];
        byte[] random = [];
        var header = RunCheckpointFile.Restore(path, model, reader =>
        {
            order = ReadArray(reader);
            random = reader.ReadBytes(reader.ReadInt32());
            helper.load_state_dict(reader);
        });
        model.Pretrained = header.Pretrained;
        return StateOf(path, header) with { NextEpochOrder = order, RandomState = random };
    }

    private static CheckpointState StateOf(string path, RunCheckpointHeader header)
    {
        try
        {
            if (header.Run is not JsonObject run)
            {
                throw new InvalidCheckpointException(path, "it holds no training state (it is not a checkpoint of a training run).");
            }

            // Checkpoints of earlier versions repeat the architecture in the run state; the header's is the one that counts.
            var state = (JsonObject)run.DeepClone();
            state[nameof(CheckpointState.ModelConfig)] = JsonSerializer.SerializeToNode(header.Model, Json);
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
