namespace ConvMixerNet.Onnx.Tests;

/// <summary>A randomized model exported to a temporary folder (deleted on dispose), with its TorchSharp original.</summary>
internal sealed class ExportedModel : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public ExportedModel(ConvMixerConfig config, IReadOnlyDictionary<string, string>? metadata = null, int seed = 0)
        : this(TestModels.Randomized(config, seed), metadata)
    {
    }

    public ExportedModel(ConvMixer model, IReadOnlyDictionary<string, string>? metadata = null, bool lastLayer = false)
    {
        Model = model;
        Path = _folder.File("model.onnx");
        ConvMixerOnnxExporter.Export(Model, Path, metadata, new OnnxExportOptions { LastLayerOutput = lastLayer });
    }

    public ConvMixer Model { get; }

    public string Path { get; }

    public string File(string name) => _folder.File(name);

    public void Dispose()
    {
        Model.Dispose();
        _folder.Dispose();
    }
}
