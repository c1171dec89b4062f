using ConvMixerNet.Hub;

namespace ConvMixerNet.Core;

/// <summary>
/// Turns what a user names as a model into a local path: a file or folder as it is; a hub reference
/// <c>hf-hub:ORG/NAME[@REVISION]</c>, a preset name with published weights (<c>convmixer_768_32</c>) or timm's name
/// for them (<c>convmixer_768_32.in1k</c>) into the snapshot folder of the Hugging Face hub's cache, downloading
/// <c>config.json</c> and the weights when they are not there yet. An existing file or folder of the same name wins.
/// </summary>
public static class ModelReference
{
    /// <summary>
    /// The hub repository <paramref name="text"/> names, or null when it names a local path (or nothing on the hub): an
    /// <c>hf-hub:</c> reference, or a preset's or timm's name for published weights when no file or folder has that name.
    /// </summary>
    /// <exception cref="FormatException">The text has the <c>hf-hub:</c> prefix but is not a valid reference (the message says why).</exception>
    public static HubReference? ToHubReference(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (HubReference.HasPrefix(text))
        {
            return HubReference.Parse(text);
        }

        if (File.Exists(text) || Directory.Exists(text))
        {
            return null;
        }

        if (ConvMixerPresets.HubIds.TryGetValue(text, out var presetRepo))
        {
            return new HubReference(presetRepo);
        }

        var published = ConvMixerPresets.HubIds.Values.FirstOrDefault(id => string.Equals(id.Split('/')[1], text, StringComparison.OrdinalIgnoreCase));
        return published is null ? null : new HubReference(published);
    }

    /// <summary>
    /// The local file or folder for <paramref name="pathOrReference"/>: itself when it is not a hub reference, else the
    /// snapshot folder in the cache (downloaded when missing; see <see cref="HubClient"/>).
    /// </summary>
    /// <param name="pathOrReference">A path, an <c>hf-hub:</c> reference or a published model's name.</param>
    /// <param name="hub">Endpoint, cache, token, offline mode; null reads them from the environment.</param>
    /// <param name="progress">Receives the download's progress per file.</param>
    /// <param name="cancellationToken">Stops the download (what arrived stays, and the next try resumes).</param>
    /// <exception cref="HubException">The download failed; the message names the repository and says what to do.</exception>
    public static async Task<string> ResolveAsync(
        string pathOrReference, HubOptions? hub = null, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (ToHubReference(pathOrReference) is not { } reference)
        {
            return pathOrReference;
        }

        using var client = new HubClient(hub);
        var snapshot = await client.DownloadModelAsync(reference, HubModelFiles.ConfigAndWeights, progress, cancellationToken).ConfigureAwait(false);
        return snapshot.Folder;
    }

    /// <summary>As <see cref="ResolveAsync"/>, blocking.</summary>
    public static string Resolve(string pathOrReference, HubOptions? hub = null)
    {
        if (ToHubReference(pathOrReference) is null)
        {
            return pathOrReference; // no thread hop for the common case
        }

        return Task.Run(() => ResolveAsync(pathOrReference, hub)).GetAwaiter().GetResult();
    }
}
