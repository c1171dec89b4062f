using System.Text.Json.Nodes;

namespace ConvMixerNet.Core;

/// <summary>The header of a training checkpoint (<see cref="RunCheckpointFile"/>).</summary>
/// <param name="Model">The architecture, so the model can be rebuilt without other input.</param>
/// <param name="Pretrained">The preprocessing and class names of the run, if stored.</param>
/// <param name="Run">The trainer's own state (options, progress, history), as JSON.</param>
public sealed record RunCheckpointHeader(ConvMixerConfig Model, PretrainedConfig? Pretrained, JsonNode? Run);
