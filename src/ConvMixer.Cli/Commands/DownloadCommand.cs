using System.CommandLine;

namespace ConvMixerNet.Cli;

/// <summary><c>convmixer download REF</c>: fetches a model from a Hugging Face hub into the cache and prints its folder.</summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("model")
        {
            Description = "hf-hub:ORG/NAME[@REVISION] (a branch, tag or commit), or a preset with published weights: "
                + string.Join(", ", ConvMixerPresets.HubIds.Keys) + " (also as timm names, e.g. convmixer_768_32.in1k).",
        };
        var command = new Command(
            "download",
            "Download a model's config.json and weights (model.safetensors, else pytorch_model.bin) from a Hugging Face hub into its cache "
            + "(HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub) and print the local folder. Environment: HF_ENDPOINT (a mirror), "
            + "HF_TOKEN (gated or private models), HF_HUB_OFFLINE=1 (the cache only).")
        {
            reference,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var text = parse.GetRequiredValue(reference);
            HubReference? hubReference;
            try
            {
                hubReference = ModelReference.ToHubReference(text);
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }

            if (hubReference is null)
            {
                throw new UsageException($"'{text}' is not a hub model: expected hf-hub:ORG/NAME[@REVISION] or one of {string.Join(", ", ConvMixerPresets.HubIds.Keys)}.");
            }

            var folder = await HubDownload.ResolveAsync(hubReference.ToString(), cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine(folder);
            return ExitCodes.Success;
        });
        return command;
    }
}
