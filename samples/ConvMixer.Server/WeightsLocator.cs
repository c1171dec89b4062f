namespace ConvMixerNet.Server;

/// <summary>Finds the checkpoint that the Weights setting names: a file as it is, a folder by its model.safetensors.</summary>
public static class WeightsLocator
{
    /// <summary>The weights file in a model folder (what <c>convmixer train</c> writes).</summary>
    public const string FolderFileName = "model.safetensors";

    /// <summary>Where a folder's weights would be.</summary>
    public static string InFolder(string folder) => Path.Combine(folder, FolderFileName);

    /// <summary>The checkpoint file for <paramref name="weights"/>.</summary>
    public static string Resolve(string weights) => Directory.Exists(weights) ? InFolder(weights) : weights;
}
