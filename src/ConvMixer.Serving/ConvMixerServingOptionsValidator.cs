using Microsoft.Extensions.Options;

namespace ConvMixerNet.Serving;

/// <summary>Checks the settings at start-up, so a typo stops the service with a message instead of failing requests.</summary>
public sealed class ConvMixerServingOptionsValidator : IValidateOptions<ConvMixerServingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConvMixerServingOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Weights))
        {
            failures.Add("ConvMixer:Weights is not set: pass --weights PATH (a checkpoint file or a folder with model.safetensors) or a hub model (hf-hub:ORG/NAME).");
        }
        else if (IsHubModel(options.Weights, out var problem))
        {
            if (problem is not null)
            {
                failures.Add($"ConvMixer:Weights: {problem}");
            }
        }
        else if (!File.Exists(options.Weights) && ModelFolder.TryFindWeights(options.Weights) is null)
        {
            failures.Add($"ConvMixer:Weights '{options.Weights}' is neither a file nor a folder holding weights ({ModelFolder.WeightsFileNames}).");
        }

        if (options.InputSize is < 1)
        {
            failures.Add($"ConvMixer:InputSize must be positive, not {options.InputSize}.");
        }

        if (options.BatchSize < 1)
        {
            failures.Add($"ConvMixer:BatchSize must be at least 1, not {options.BatchSize}.");
        }

        if (options.MaxBatchDelayMs < 0)
        {
            failures.Add($"ConvMixer:MaxBatchDelayMs must not be negative, not {options.MaxBatchDelayMs}.");
        }

        if (options.QueueCapacity < 1)
        {
            failures.Add($"ConvMixer:QueueCapacity must be at least 1, not {options.QueueCapacity}.");
        }

        if (options.Threads is < 1)
        {
            failures.Add($"ConvMixer:Threads must be positive, not {options.Threads}.");
        }

        if (options.MaxUploadBytes < 1)
        {
            failures.Add($"ConvMixer:MaxUploadBytes must be positive, not {options.MaxUploadBytes}.");
        }

        if (!string.IsNullOrEmpty(options.ApiKeyFile) && !File.Exists(options.ApiKeyFile))
        {
            failures.Add($"ConvMixer:ApiKeyFile '{options.ApiKeyFile}' does not exist (one API key per line).");
        }

        if (options.ModelName is { } modelName && !IsRouteName(modelName))
        {
            failures.Add($"ConvMixer:ModelName '{modelName}' must be letters, digits, '.', '_' or '-' (it is part of the /v2 routes).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsRouteName(string name) =>
        name.Length is > 0 and <= 128 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    // A hub model is downloaded when the model loads; here only its form is checked.
    private static bool IsHubModel(string weights, out string? problem)
    {
        problem = null;
        try
        {
            return ModelReference.ToHubReference(weights) is not null;
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return true;
        }
    }
}
