namespace ConvMixerNet.Server;

/// <summary>
/// Finds what the Weights setting names: a file, or a model folder (config.json + weights, read with its stored
/// preprocessing and class names) as they are; a folder without config.json by its model.safetensors.
/// </summary>
public static class WeightsLocator
{
    /// <summary>The weights file in a model folder (what <c>convmixer train</c> writes).</summary>
    public const string FolderFileName = "model.safetensors";

    /// <summary>Where a folder's weights would be.</summary>
    public static string InFolder(string folder) => Path.Combine(folder, FolderFileName);

    /// <summary>The checkpoint file for <paramref name="weights"/>.</summary>
    public static string Resolve(string weights) => Directory.Exists(weights) && !ModelFolder.IsModelFolder(weights) ? InFolder(weights) : weights;
}
