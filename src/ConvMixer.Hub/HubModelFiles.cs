namespace ConvMixerNet.Hub;

/// <summary>
/// Which files of a repository a model needs: every one of <see cref="Required"/>, and the first of
/// <see cref="FirstOf"/> the repository has (only that one is downloaded).
/// </summary>
/// <param name="Required">Files that must all be there.</param>
/// <param name="FirstOf">Alternatives in order of preference; empty for none.</param>
public sealed record HubModelFiles(IReadOnlyList<string> Required, IReadOnlyList<string> FirstOf)
{
    /// <summary>
    /// A timm or transformers model folder: <c>config.json</c>, then <c>model.safetensors</c>, else
    /// <c>pytorch_model.bin</c> (never both).
    /// </summary>
    public static HubModelFiles ConfigAndWeights { get; } = new(["config.json"], ["model.safetensors", "pytorch_model.bin"]);
}
