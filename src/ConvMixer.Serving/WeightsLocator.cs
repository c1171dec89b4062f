namespace ConvMixerNet.Serving;

/// <summary>
/// Finds what the Weights setting names: a file, or a model folder (config.json + weights, read with its stored
/// preprocessing and class names) as they are; a folder without config.json by its model.safetensors; a model on a
/// Hugging Face hub by its reference.
/// </summary>
public static class WeightsLocator
{
    /// <summary>The weights file in a model folder (what <c>convmixer train</c> writes).</summary>
    public const string FolderFileName = "model.safetensors";

    /// <summary>Where a folder's weights would be.</summary>
    public static string InFolder(string folder) => Path.Combine(folder, FolderFileName);

    /// <summary>The checkpoint file for <paramref name="weights"/>; a hub model (<c>hf-hub:ORG/NAME</c>, a preset name) is downloaded into the hub's cache first.</summary>
    public static string Resolve(string weights)
    {
        var local = ModelReference.Resolve(weights);
        return Directory.Exists(local) && !ModelFolder.IsModelFolder(local) ? InFolder(local) : local;
    }

    /// <summary>The file that holds the weights themselves: <see cref="Resolve"/>'s file, or a model folder's weights file.</summary>
    public static string WeightsFile(string weights)
    {
        var path = Resolve(weights);
        return ModelFolder.IsModelFolder(path) ? ModelFolder.FindWeights(path) : path;
    }
}
