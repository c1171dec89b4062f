using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// The container of a training checkpoint (<c>checkpoint.ckpt</c>): a magic string and format version, a JSON header
/// (<c>config</c>: the <see cref="ModelConfig"/> document, as in the run folder's <c>config.json</c>; <c>run</c>: the
/// trainer's own state), the weights in TorchSharp's format, then the trainer's binary trailer
/// (data order, random state, optimizer). Defined here so that everything that loads a model — <see cref="ConvMixer.FromCheckpoint"/>,
/// the classifier, the tool's predict, info and convert — reads the weights and configuration of a training run, while
/// ConvMixerNet.Training owns what the run state means.
/// </summary>
public static class RunCheckpointFile
{
    /// <summary>The file name the trainer gives its checkpoint in a run folder.</summary>
    public const string FileName = "checkpoint.ckpt";

    /// <summary>
    /// The format version written. Version 2 (which kept the architecture apart from the document, under <c>model</c>)
    /// is still read; version 1 (before the configuration was stored) is refused with a message.
    /// </summary>
    public const int FormatVersion = 3;

    private const int SeparateArchitectureVersion = 2;

    private const string Magic = "ConvMixer.Training checkpoint";
    private const int MaxHeaderBytes = 64 << 20;

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>True when <paramref name="path"/> is a regular file that starts like a training checkpoint.</summary>
    public static bool IsRunCheckpoint(string path)
    {
        if (!FileKind.IsRegularFile(path))
        {
            return false;
        }

        try
        {
            using var stream = File.OpenRead(path);
            return StartsWithMagic(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes a checkpoint of <paramref name="model"/> (its <see cref="ConvMixer.Pretrained"/> configuration included)
    /// with the trainer's <paramref name="runState"/> and binary <paramref name="writeTrailer"/>, atomically.
    /// </summary>
    public static void Save(string path, ConvMixer model, JsonNode runState, Action<BinaryWriter> writeTrailer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(runState);
        ArgumentNullException.ThrowIfNull(writeTrailer);
        var header = new JsonObject
        {
            [ModelConfig.MetadataKey] = ModelConfigJson.ToJson(model.Config, model.Pretrained),
            ["run"] = runState.DeepClone(),
        };
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(header.ToJsonString());
            model.save(writer);
            writeTrailer(writer);
            writer.Flush();
        });
    }

    /// <summary>Reads the header only (no tensors): the architecture, the stored configuration and the run state.</summary>
    /// <exception cref="InvalidCheckpointException">Not a training checkpoint, another format version, or a damaged header.</exception>
    public static RunCheckpointHeader ReadHeader(string path)
    {
        using var stream = Open(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        return ReadHeader(path, reader);
    }

    /// <summary>
    /// Loads the checkpoint's weights into <paramref name="model"/> (strictly: same architecture) and hands the
    /// trailer to <paramref name="readTrailer"/>; returns the header.
    /// </summary>
    public static RunCheckpointHeader Restore(string path, ConvMixer model, Action<BinaryReader> readTrailer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(readTrailer);
        using var stream = Open(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var header = ReadHeader(path, reader);
        if (header.Model != model.Config)
        {
            throw new InvalidCheckpointException(path, $"it holds a {header.Model}, but the model is a {model.Config}.");
        }

        try
        {
            model.load(reader, strict: true);
            readTrailer(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or OverflowException or InvalidDataException)
        {
            throw new InvalidCheckpointException(path, $"it is damaged or does not fit this model ({e.Message}).", e);
        }

        return header;
    }

    /// <summary>The weights (timm keys) and the stored configuration, for <see cref="ConvMixer.FromCheckpoint"/>.</summary>
    internal static (Dictionary<string, Tensor> Tensors, StoredModelConfig Stored) ReadWeights(string path, Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var header = ReadHeader(path, reader);
        var tensors = TorchSharpCheckpointFile.Read(path, stream, moreFollows: true);
        var stored = new StoredModelConfig(header.Pretrained, header.Model.NumClasses, header.Model.Activation, header.Model.ResidualPlacement, header.Model);
        return (tensors, stored);
    }

    internal static bool StartsWithMagic(Stream stream)
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

    private static FileStream Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileKind.RequireRegularFile(path, "checkpoint");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
    }

    private static RunCheckpointHeader ReadHeader(string path, BinaryReader reader)
    {
        try
        {
            if (!StartsWithMagic(reader.BaseStream) || reader.ReadString() != Magic)
            {
                throw new InvalidCheckpointException(path, "it is not a ConvMixer training checkpoint (its header does not match).");
            }

            var version = reader.ReadInt32();
            if (version != FormatVersion && version != SeparateArchitectureVersion)
            {
                throw new InvalidCheckpointException(path, version == 1
                    ? "it is a training checkpoint of format version 1, written before models stored their configuration; this library reads version 2. Train again, or convert its weights with an earlier version."
                    : $"it has training-checkpoint format version {version}; this library reads versions {SeparateArchitectureVersion} and {FormatVersion}.");
            }

            // BinaryReader's string length prefix is 7-bit encoded; check it before the string is allocated.
            var length = Read7BitLength(reader);
            if (length > MaxHeaderBytes || length > reader.BaseStream.Length - reader.BaseStream.Position)
            {
                throw new InvalidCheckpointException(path, $"its header claims {length} bytes, more than the file holds.");
            }

            var json = Encoding.UTF8.GetString(reader.ReadBytes(length));
            var header = JsonNode.Parse(json) as JsonObject ?? throw new InvalidCheckpointException(path, "its header is not a JSON object.");
            if (version == SeparateArchitectureVersion)
            {
                // Version 2: the architecture as a serialised ConvMixerConfig, the document (when known) beside it.
                var model = header["model"].Deserialize<ConvMixerConfig>(Json) ?? throw new InvalidCheckpointException(path, "its header has no model architecture.");
                model.Validate();
                var pretrained = header[ModelConfig.MetadataKey] is JsonObject stored ? ModelConfig.ParseStored(stored.ToJsonString(), path).Pretrained : null;
                return new RunCheckpointHeader(model, pretrained, header["run"]);
            }

            var config = header[ModelConfig.MetadataKey] as JsonObject ?? throw new InvalidCheckpointException(path, "its header has no model configuration.");
            var description = ModelConfig.Parse(config.ToJsonString(), path);
            return new RunCheckpointHeader(description.Architecture, description.Pretrained, header["run"]);
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
