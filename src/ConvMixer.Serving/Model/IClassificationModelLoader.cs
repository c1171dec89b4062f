namespace ConvMixerNet.Serving;

/// <summary>Loads the model; the worker thread calls it once, so the model's tensors live on that thread.</summary>
public interface IClassificationModelLoader
{
    /// <summary>Reads the weights and builds the model.</summary>
    IClassificationModel Load();
}
