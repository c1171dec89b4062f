using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// The weights part of a training run's <c>checkpoint.ckpt</c> (written by ConvMixerNet.Training, which owns the
/// trainer state in it). Formats 2 and 3 of earlier versions hold the model description and the weights before the
/// trainer state, so such a file still loads as a model; from format 4 on the file holds the trainer state only and
/// the weights are the model folder it was written in. Only the description and the weights are read here.
/// </summary>
internal static class TrainingCheckpointWeights
{
    // The magic string and version ConvMixerNet.Training writes at the start of checkpoint.ckpt.
    private const string Magic = "ConvMixer.Training checkpoint";
    private const int SeparateArchitectureVersion = 2;
    private const int DescriptionVersion = 3;
    private const int MaxHeaderBytes = 64 << 20;

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static bool StartsWithMagic(Stream stream)
    {
        var start = stream.Position;
        try
        {
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            return stream.Length - start > Magic.Length && reader.ReadString() == Magic;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            return false;
        }
        finally
        {
            stream.Position = start;
        }
    }

    /// <summary>
    /// The weights and description of a format-2 or format-3 file; null for a later format, whose weights are the
    /// model folder the file lies in.
    /// </summary>
    public static (Dictionary<string, Tensor> Tensors, StoredModelConfig Stored)? Read(string path, Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (reader.ReadString() != Magic)
        {
            throw new InvalidCheckpointException(path, "it is not a ConvMixer training checkpoint (its header does not match).");
        }

        var version = reader.ReadInt32();
        if (version > DescriptionVersion)
        {
            return null;
        }

        if (version != SeparateArchitectureVersion && version != DescriptionVersion)
        {
            throw new InvalidCheckpointException(path, version == 1
                ? "it is a training checkpoint of format version 1, written before models stored their configuration; this library reads version 2. Train again, or convert its weights with an earlier version."
                : $"it has training-checkpoint format version {version}; this library reads versions {SeparateArchitectureVersion} and later.");
        }

        var stored = ReadDescription(path, reader, version);
        var tensors = TorchSharpCheckpointFile.Read(path, stream, moreFollows: true);
        return (tensors, stored);
    }

    // The JSON header's model description; the trainer's part of it ("run") is left to ConvMixerNet.Training.
    private static StoredModelConfig ReadDescription(string path, BinaryReader reader, int version)
    {
        try
        {
            // BinaryReader's string length prefix is 7-bit encoded; check it before the string is allocated.
            var length = Read7BitLength(reader);
            if (length > MaxHeaderBytes || length > reader.BaseStream.Length - reader.BaseStream.Position)
            {
                throw new InvalidCheckpointException(path, $"its header claims {length} bytes, more than the file holds.");
            }

            var header = JsonNode.Parse(Encoding.UTF8.GetString(reader.ReadBytes(length))) as JsonObject
                ?? throw new InvalidCheckpointException(path, "its header is not a JSON object.");
            if (version == SeparateArchitectureVersion)
            {
                // Version 2: the architecture as a serialised ConvMixerConfig, the document (when known) beside it.
                var model = header["model"].Deserialize<ConvMixerConfig>(Json) ?? throw new InvalidCheckpointException(path, "its header has no model architecture.");
                model.Validate();
                var pretrained = header[ModelConfig.MetadataKey] is JsonObject stored ? ModelConfig.ParseStored(stored.ToJsonString(), path).Pretrained : null;
                return new StoredModelConfig(pretrained, model.NumClasses, model.Activation, model.ResidualPlacement, model);
            }

            var config = header[ModelConfig.MetadataKey] as JsonObject ?? throw new InvalidCheckpointException(path, "its header has no model configuration.");
            var description = ModelConfig.Parse(config.ToJsonString(), path);
            var architecture = description.Architecture;
            return new StoredModelConfig(description.Pretrained, architecture.NumClasses, architecture.Activation, architecture.ResidualPlacement, architecture);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException or NotSupportedException)
        {
            throw new InvalidCheckpointException(path, $"its header is damaged ({e.Message}).", e);
        }
    }

    private static int Read7BitLength(BinaryReader reader)
    {
        var result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = reader.ReadByte();
            result |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result < 0 ? int.MaxValue : result;
            }
        }

        return int.MaxValue;
    }
}
