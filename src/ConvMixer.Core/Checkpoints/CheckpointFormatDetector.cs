namespace ConvMixerNet.Core;

/// <summary>Tells the format of a checkpoint from its first bytes, whatever the file's extension.</summary>
internal static class CheckpointFormatDetector
{
    public static CheckpointFormat Detect(string path, Stream stream)
    {
        Span<byte> head = stackalloc byte[64];
        var count = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        head = head[..count];

        if (count == 0)
        {
            throw new InvalidCheckpointException(path, "the file is empty.");
        }

        if (TrainingCheckpointWeights.StartsWithMagic(stream))
        {
            return CheckpointFormat.TrainingCheckpoint;
        }

        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            return CheckpointFormat.PyTorch;
        }

        // A bare pickle (protocol 2+) is what torch.save wrote before PyTorch 1.6; PyBridge reads only the zip format.
        if (count >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5)
        {
            throw new InvalidCheckpointException(path,
                "it is a bare pickle, as written by torch.save's legacy (pre-1.6) format; only the zip format is supported. "
                + "Re-save it in Python: torch.save(torch.load(path), new_path).");
        }

        // safetensors: an 8-byte little-endian header length, then the JSON header, which starts with '{'.
        if (count >= 9 && head[8] == (byte)'{')
        {
            return CheckpointFormat.Safetensors;
        }

        if (TorchSharpCheckpointFile.LooksLike(head))
        {
            return CheckpointFormat.TorchSharp;
        }

        throw new InvalidCheckpointException(path,
            "its content is not a PyTorch zip (.pth/.bin/.pth.tar), a .safetensors file, a TorchSharp state dict or a training checkpoint "
            + $"(first bytes: {Convert.ToHexString(head[..Math.Min(count, 16)])}).");
    }
}
