namespace ConvMixerNet.LoadTest;

/// <summary>How a request carries its image: /v1's upload, or one of the Open Inference Protocol's inputs.</summary>
internal enum Protocol
{
    /// <summary>POST /v1/classify with the image file as the body.</summary>
    V1,

    /// <summary>/v2 infer with FP32 <c>input</c> in JSON, preprocessed by the client.</summary>
    V2Json,

    /// <summary>/v2 infer with FP32 <c>input</c> as binary data after the JSON (Triton's binary tensor data extension), binary output too.</summary>
    V2Binary,

    /// <summary>/v2 infer with BYTES <c>image</c>: the image file, base64 in JSON.</summary>
    V2Bytes,
}

/// <summary>The protocols' names on the command line and in the table.</summary>
internal static class Protocols
{
    private static readonly (Protocol Protocol, string Name)[] Names =
        [(Protocol.V1, "v1"), (Protocol.V2Json, "v2-json"), (Protocol.V2Binary, "v2-binary"), (Protocol.V2Bytes, "v2-bytes")];

    public static string AllNames => string.Join(",", Names.Select(n => n.Name));

    public static string Name(this Protocol protocol) => Names.Single(n => n.Protocol == protocol).Name;

    public static Protocol Parse(string text) => Names.FirstOrDefault(n => n.Name == text.Trim()) is { Name: not null } found ? found.Protocol
        : throw new ArgumentException($"'{text}' is not a protocol; use {AllNames}.");
}
