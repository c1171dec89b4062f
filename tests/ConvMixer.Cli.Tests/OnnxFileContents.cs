using Google.Protobuf;

namespace ConvMixerNet.Cli.Tests;

/// <summary>
/// What an .onnx file declares, read from its protobuf fields directly (onnx.proto: ModelProto.graph = 7,
/// ModelProto.opset_import = 8, GraphProto.node = 1, NodeProto.op_type = 4, OperatorSetIdProto.domain = 1 and
/// version = 2), so the tests need no ONNX library of their own.
/// </summary>
internal sealed record OnnxFileContents(IReadOnlyDictionary<string, long> Opsets, IReadOnlyList<string> OperatorTypes)
{
    /// <summary>The version of the default operator set (domain "" or ai.onnx).</summary>
    public long DefaultOpset => Opsets.TryGetValue(string.Empty, out var version) ? version : Opsets["ai.onnx"];

    public static OnnxFileContents Read(string path)
    {
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        var operators = new List<string>();
        foreach (var field in Fields(File.ReadAllBytes(path)))
        {
            if (field.Number == 8)
            {
                var entry = Fields(field.Bytes).ToList();
                var domain = entry.Where(f => f.Number == 1).Select(f => f.Text).FirstOrDefault() ?? string.Empty;
                opsets[domain] = (long)entry.Single(f => f.Number == 2).Varint;
            }
            else if (field.Number == 7)
            {
                operators.AddRange(Fields(field.Bytes).Where(f => f.Number == 1)
                    .SelectMany(node => Fields(node.Bytes).Where(f => f.Number == 4).Select(f => f.Text)));
            }
        }

        return new OnnxFileContents(opsets, operators);
    }

    /// <summary>The file's <c>metadata_props</c> (ModelProto field 14; StringStringEntryProto key = 1, value = 2).</summary>
    public static Dictionary<string, string> MetadataProps(string path) =>
        Fields(File.ReadAllBytes(path)).Where(f => f.Number == 14)
            .Select(f => Fields(f.Bytes))
            .ToDictionary(e => e.Single(f => f.Number == 1).Text, e => e.Single(f => f.Number == 2).Text, StringComparer.Ordinal);

    private static List<Field> Fields(byte[] message)
    {
        var input = new CodedInputStream(message);
        var fields = new List<Field>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new Field(number, input.ReadBytes().ToByteArray(), 0));
                    break;
                case WireFormat.WireType.Varint:
                    fields.Add(new Field(number, [], input.ReadUInt64()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return fields;
    }

    private sealed record Field(int Number, byte[] Bytes, ulong Varint)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Bytes);
    }
}
