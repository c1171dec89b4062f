using ConvMixerNet.Core;

namespace ConvMixerNet.Onnx;

/// <summary>What an exported ConvMixer .onnx file says about itself.</summary>
/// <param name="Path">The file.</param>
/// <param name="Architecture">The hyperparameters from its metadata.</param>
/// <param name="Metadata">All of its <c>metadata_props</c>, the architecture keys included.</param>
/// <param name="IsQuantized">Whether <see cref="OnnxInt8Quantizer"/> wrote it (int8 weights).</param>
public sealed record OnnxModelDescription(
    string Path,
    ConvMixerConfig Architecture,
    IReadOnlyDictionary<string, string> Metadata,
    bool IsQuantized);
