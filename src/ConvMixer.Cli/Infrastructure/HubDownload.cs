using ConvMixerNet.Hub;
using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary>
/// Models named by a hub reference (<c>hf-hub:ORG/NAME[@REVISION]</c>, or a preset's published weights): fetched into
/// the Hugging Face cache with a progress bar on stderr (file, bytes, rate), configured from the environment as
/// huggingface_hub is.
/// </summary>
internal static class HubDownload
{
    /// <summary>The local path for <paramref name="pathOrReference"/>: itself, or the downloaded snapshot folder.</summary>
    public static string Resolve(string pathOrReference, CancellationToken cancellationToken = default) =>
        ResolveAsync(pathOrReference, cancellationToken).GetAwaiter().GetResult();

    /// <summary>As <see cref="Resolve"/>.</summary>
    public static async Task<string> ResolveAsync(string pathOrReference, CancellationToken cancellationToken)
    {
        HubReference? reference;
        try
        {
            reference = ModelReference.ToHubReference(pathOrReference);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }

        if (reference is null)
        {
            return pathOrReference;
        }

        var options = Options();
        if (!Terminal.ShowsProgress || options.Offline)
        {
            return await ModelReference.ResolveAsync(reference.ToString(), options, progress: null, cancellationToken).ConfigureAwait(false);
        }

        var folder = string.Empty;
        await Terminal.Progress.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var progress = new Reporter(p =>
                {
                    lock (bars)
                    {
                        if (!bars.TryGetValue(p.FileName, out var bar))
                        {
                            bar = bars[p.FileName] = context.AddTask(Markup.Escape($"{p.RepoId}/{p.FileName}"), maxValue: Math.Max(1, p.TotalBytes));
                        }

                        bar.Value = p.TotalBytes == 0 ? 1 : p.BytesDone;
                    }
                });
                folder = await ModelReference.ResolveAsync(reference.ToString(), options with { Warn = m => Terminal.Progress.WriteLine($"warning: {m}") }, progress, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return folder;
    }

    /// <summary>The environment's settings; an unusable variable (HF_ENDPOINT that is no URL) is the user's to fix.</summary>
    public static HubOptions Options()
    {
        try
        {
            return HubOptions.FromEnvironment();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message); // names the variable and what it must be
        }
    }

    // Reports on the downloading thread, so the bar follows the bytes (Progress<T> would queue them for later).
    private sealed class Reporter(Action<HubDownloadProgress> report) : IProgress<HubDownloadProgress>
    {
        public void Report(HubDownloadProgress value) => report(value);
    }
}
