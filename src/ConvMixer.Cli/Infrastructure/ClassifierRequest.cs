namespace ConvMixerNet.Cli;

/// <summary>A checked model reference and classifier settings (see <see cref="ClassifierOptions"/>), ready to open.</summary>
internal sealed record ClassifierRequest(string Weights, CheckpointLoadOptions LoadOptions, ImageClassifierOptions Options)
{
    /// <summary>Loads the model on its backend (ONNX Runtime for .onnx files, else TorchSharp) and wraps it; warns on stderr about assumed defaults.</summary>
    public ImageClassifier Open()
    {
        var model = ModelSource.LoadForInference(Weights, LoadOptions, Options.Precision, threads: null);
        try
        {
            if (ImageClassifier.ProblemsWith(model, Options) is [var problem, ..])
            {
                throw new UsageException(problem);
            }

            var classifier = new ImageClassifier(model, Options);
            if (classifier.AssumedDefaults is { } assumed)
            {
                Console.Error.WriteLine($"warning: {assumed}");
            }

            return classifier;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
