namespace ConvMixerNet.Core;

/// <summary>
/// Walks a pickle's opcodes without building anything, and refuses unknown opcodes and length prefixes that claim more
/// bytes than the pickle holds. The unpickler (Razorvine.Pickle) allocates a claimed length before reading it, so a
/// hostile 2 GB claim would otherwise cost 2 GB of memory before failing.
/// </summary>
/// <remarks>Opcode arguments as documented in CPython's <c>pickletools</c>; this reads lengths, it does not unpickle.</remarks>
internal static class PickleOpcodeScanner
{
    private enum Argument
    {
        None,
        Fixed1,
        Fixed2,
        Fixed4,
        Fixed8,
        Line,
        TwoLines,
        Length1,
        Length4,
        Length8,
    }

    private static readonly Dictionary<byte, Argument> Opcodes = Build();

    /// <summary>Returns null when the pickle is well formed as far as lengths go, else the problem.</summary>
    public static string? FindProblem(ReadOnlySpan<byte> pickle)
    {
        var position = 0;
        while (position < pickle.Length)
        {
            var opcode = pickle[position];
            var at = position++;
            if (opcode == (byte)'.')
            {
                return null; // STOP
            }

            if (!Opcodes.TryGetValue(opcode, out var argument))
            {
                return $"its pickle has an unknown opcode 0x{opcode:x2} at byte {at}.";
            }

            var remaining = pickle.Length - position;
            long length = argument switch
            {
                Argument.None => 0,
                Argument.Fixed1 => 1,
                Argument.Fixed2 => 2,
                Argument.Fixed4 => 4,
                Argument.Fixed8 => 8,
                Argument.Line => LineLength(pickle[position..], lines: 1),
                Argument.TwoLines => LineLength(pickle[position..], lines: 2),
                Argument.Length1 => remaining >= 1 ? 1 + (long)pickle[position] : long.MaxValue,
                Argument.Length4 => remaining >= 4 ? 4 + (long)BitConverter.ToUInt32(pickle.Slice(position, 4)) : long.MaxValue,
                _ => remaining >= 8 ? Add8(BitConverter.ToUInt64(pickle.Slice(position, 8))) : long.MaxValue,
            };
            if (length > remaining)
            {
                return $"its pickle claims more bytes for the argument of opcode 0x{opcode:x2} at byte {at} than the {remaining} bytes that remain (corrupt or hostile).";
            }

            position += (int)length;
        }

        return "its pickle ends without a STOP opcode (it is truncated).";
    }

    private static long Add8(ulong length) => length > long.MaxValue - 8 ? long.MaxValue : 8 + (long)length;

    private static long LineLength(ReadOnlySpan<byte> rest, int lines)
    {
        var offset = 0;
        for (var i = 0; i < lines; i++)
        {
            var newline = rest[offset..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return long.MaxValue;
            }

            offset += newline + 1;
        }

        return offset;
    }

    private static Dictionary<byte, Argument> Build()
    {
        var table = new Dictionary<byte, Argument>();
        void Add(string opcodes, Argument argument)
        {
            foreach (var c in opcodes)
            {
                table[(byte)c] = argument;
            }
        }

        // Protocols 0-5.
        Add("(012NRabd}el]ost)uQ\u0081\u0085\u0086\u0087\u0088\u0089\u008f\u0090\u0091\u0092\u0093\u0094\u0097\u0098", Argument.None);
        Add("\u0080Khq\u0082", Argument.Fixed1);
        Add("M\u0083", Argument.Fixed2);
        Add("Jjr\u0084", Argument.Fixed4);
        Add("G\u0095", Argument.Fixed8);
        Add("ILFSVPgp", Argument.Line);
        Add("ci", Argument.TwoLines);
        Add("UC\u008c\u008a", Argument.Length1);
        Add("TXB\u008b", Argument.Length4);
        Add("\u008d\u008e\u0096", Argument.Length8);
        return table;
    }
}
